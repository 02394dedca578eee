"""Evidence, verification, delivery confirmation and evaluation in English: the pages each role uses there,
and the refusals they answer with, read in English when the account (or a visitor's browser) asks for it."""

from io import BytesIO

from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation.models import DeliverySlip
from marketplace.fulfilment.models import Fulfilment
from support import login, post

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}




def _claim_of(world, need) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need.id)).one()


def _fulfilment_of(world, need) -> Fulfilment:
    with world.tx() as s:
        return s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()


def test_the_evidence_form_and_its_errors_are_in_english(client, world):
    need = world.need("in_progress", form="money")
    claim = _claim_of(world, need)
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/evidence"
    html = client.get(url).get_data(as_text=True)
    for shown in ("Submit aid evidence", "What was done", "Amount actually paid (yuan)", "Payment date",
                  "Photos and receipts", "Photos must not show:", "Type of file", "Receipt or transfer record",
                  "Still to upload before submitting the evidence: Receipt or transfer record.",
                  "Household confirmation code (the 6 digits on the delivery slip)"):
        assert shown in html, shown
    assert "提交帮扶凭证" not in html and "照片与收据" not in html
    refused = post(client, url, {"delivered_on": "2026-11-20", "summary": "", "amount": "300"}, page=url)
    assert refused.status_code == 422
    assert "Describe the aid given." in refused.get_data(as_text=True)


def test_a_refused_upload_says_why_in_english(client, world):
    need = world.need("in_progress", form="money")
    claim = _claim_of(world, need)
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = f"/my/claims/{claim.id}/evidence"
    response = post(client, f"/my/claims/{claim.id}/evidence/files", page=page,
                    data={"role": "receipt", "files": (BytesIO(b"GIF89a" + b"\0" * 64), "receipt.gif")},
                    headers={"HX-Request": "true"}, content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "File 1 (“receipt.gif”): The file is a GIF animation, not a photo or PDF" in text


def test_the_verifier_reads_the_queue_and_the_evidence_in_english(client, world):
    need = world.need("submitted", form="money", title="大一新生学费缺口")
    f = _fulfilment_of(world, need)
    world.in_english(world.verifier)
    login(client, "verifier@guoyang.gov.cn")
    queue = client.get("/staff/verify").get_data(as_text=True)
    for shown in ("Verification queue", "1 piece of evidence awaiting verification, oldest first.", "Claim evidence",
                  "View evidence and photos", "¥3,000"):
        assert shown in queue, shown
    html = client.get(f"/staff/verify/{f.id}").get_data(as_text=True)
    for shown in ("Verify evidence: 大一新生学费缺口", "Amount actually paid", "Delivery confirmation",
                  "Not confirmed by the household", "Aid of the same category for this household (duplicate check)",
                  "Reason for returning", "Up to 500 characters", "Hardship type", "Need page"):
        assert shown in html, shown
    assert "核验凭证" not in html and "送达确认" not in html
    refused = post(client, f"/staff/verify/{f.id}/reject", {"reason": ""}, page=f"/staff/verify/{f.id}")
    assert refused.status_code == 422
    assert "Give a reason for returning the evidence (2 to 500 characters)." in refused.get_data(as_text=True)


def test_confirmation_pages_are_in_english_for_staff_the_fulfiler_and_a_visitor(client, world, app):
    need = world.need("in_progress", form="money")
    claim = _claim_of(world, need)
    world.in_english(world.verifier, world.charity)
    login(client, "verifier@guoyang.gov.cn")
    staff_page = client.get(f"/staff/needs/{need.id}/confirmation").get_data(as_text=True)
    for shown in ("Delivery confirmation and follow-up visits", "Household confirmation required before verification",
                  f"Claim #{claim.id}", "Record a follow-up visit", "Follow-up method", "In person", "Phone",
                  "Did the household receive the aid?", "Save follow-up visit"):
        assert shown in staff_page, shown
    refused = post(client, f"/staff/needs/{need.id}/follow-ups",
                   {"target": f"claim-{claim.id}", "visited_on": "", "method": "visit"},
                   page=f"/staff/needs/{need.id}/confirmation")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Enter the follow-up date." in text and "Choose whether the household received the aid." in text
    slip = client.get(f"/staff/claims/{claim.id}/slip").get_data(as_text=True)
    assert "Shanqiao · Delivery slip" in slip and "Household’s copy (for the household to keep)" in slip

    with world.tx() as s:  # the staff member's opening of the household's copy made the slip
        slip_row = s.scalars(select(DeliverySlip).where(DeliverySlip.claim_id == claim.id)).one()
        right, ref = slip_row.code, slip_row.ref
    wrong_code = str((int(right[0]) + 1) % 10) + right[1:]
    other = app.test_client()
    login(other, "member@charity.org.cn")
    page = f"/my/claims/{claim.id}/slip"
    assert "Enter confirmation code" in other.get(page).get_data(as_text=True)
    wrong = post(other, page, {"confirmation_code": wrong_code}, page=page)
    assert wrong.status_code == 422
    assert "Wrong confirmation code; 4 tries left." in wrong.get_data(as_text=True)

    visitor = app.test_client()
    receipt = visitor.get(f"/receipts/{ref}", headers=ENGLISH).get_data(as_text=True)
    assert "Delivery slip check" in receipt and "This is a valid delivery slip issued by the Shanqiao platform." in receipt


def test_the_evaluation_pages_are_in_english(client, world):
    world.need("verified", form="money")
    world.in_english(world.verifier)
    login(client, "verifier@guoyang.gov.cn")
    index = client.get("/staff/evaluation").get_data(as_text=True)
    for shown in ("Evaluation", "On-time rate", "Verified", "Returned", "Time to verification (median)",
                  "Total", "1 helper", "Individual volunteers: all volunteers who claimed on their own"):
        assert shown in index, shown
    assert "受助方确认率" not in index and "核验用时" not in index
    listing = client.get(f"/staff/evaluation/{world.org_id}").get_data(as_text=True)
    assert "涡阳县慈善协会: reviewed evidence" in listing and "1 piece of reviewed evidence" in listing
    assert "Claim or pledge" in listing and "Reviewed on" in listing


def test_the_same_pages_stay_chinese_by_default(client, world):
    need = world.need("submitted", form="money")
    f = _fulfilment_of(world, need)
    login(client, "verifier@guoyang.gov.cn")
    html = client.get(f"/staff/verify/{f.id}").get_data(as_text=True)
    assert "核验凭证" in html and "送达确认" in html and "3,000 元" in html and "Verify evidence" not in html
