"""Claims, pledges, the report page and the public API in English: the pages their users work with read in
English for an account set to English (or a visitor whose browser asks for it), refusals and form errors
come back in English, and what the system stores stays Chinese."""

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.ledger.service import append
from marketplace.needs.models import Need, NeedHistory
from marketplace.pledges import service as pledges
from marketplace.registry.models import Household
from support import login, post

EN = {"Accept-Language": "en"}




def _claim(world, need) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need.id)).one()


def test_my_claims_and_a_claim_read_in_english(client, world):
    need = world.need("claimed", title="助学需求")
    claim = _claim(world, need)
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    listing = client.get("/my/claims").get_data(as_text=True)
    assert '<html lang="en">' in listing and "My claims" in listing
    assert "Claim status: <strong" in listing and "Start the aid by" in listing
    assert "认领状态" not in listing and "逾期自动释放" not in listing
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    for text in ("Claim: 助学需求", "Start aid", "Reason for extension", "Extend by 7 days", "Transfer or release",
                 "Reason for releasing", "Up to 500 characters"):
        assert text in page, text
    assert "开始帮扶" not in page and "放弃原因" not in page


def test_claim_refusals_and_flashes_are_in_english_and_the_history_stays_chinese(client, world):
    need = world.need("claimed", title="助学需求")
    claim = _claim(world, need)
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = f"/my/claims/{claim.id}"
    refused = post(client, f"/my/claims/{claim.id}/extend", {"reason": ""}, page=page)
    assert refused.status_code == 422 and "Give a reason (2 to 500 characters)." in refused.get_data(as_text=True)
    extended = post(client, f"/my/claims/{claim.id}/extend", {"reason": "家里人住院"}, page=page,
                    follow_redirects=True).get_data(as_text=True)
    assert "The claim was extended by 7 days" in extended
    again = post(client, f"/my/claims/{claim.id}/extend", {"reason": "还需要时间"}, page=page)
    assert again.status_code == 409 and "A claim can be extended only once." in again.get_data(as_text=True)
    with world.tx() as s:  # the need's history is data: written in Chinese whoever reads it
        notes = [e.reason for e in s.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id))]
    assert any(n and n.startswith("认领延期7天") for n in notes)


def test_pledging_in_english(client, world):
    need = world.need("open", title="助学金缺口")  # 3,000 yuan
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    detail = f"/needs/{need.id}"
    too_much = post(client, f"/needs/{need.id}/pledge", {"amount": "5000"}, page=detail)
    body = too_much.get_data(as_text=True)
    assert too_much.status_code == 409 and "A pledge of ¥5,000 is more than is still needed: ¥3,000" in body
    done = post(client, f"/needs/{need.id}/pledge", {"amount": "1000"}, page=detail, follow_redirects=True)
    assert "Pledged ¥1,000. This need still lacks ¥2,000." in done.get_data(as_text=True)
    mine = client.get("/my/pledges").get_data(as_text=True)
    assert "My pledges" in mine and "Pledged <strong>¥1,000</strong>" in mine and "Pledge status: " in mine
    with world.tx() as s:
        row = s.scalars(select(pledges.Pledge).where(pledges.Pledge.need_id == need.id)).one()
        notes = [e.reason for e in s.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id))]
    assert any(n and "认捐 1,000 元" in n for n in notes)  # stored in Chinese
    item = client.get(f"/my/pledges/{row.id}").get_data(as_text=True)
    assert "Amount pledged" in item and "Submit delivery evidence" in item and "Withdraw pledge" in item
    form = client.get(f"/my/pledges/{row.id}/evidence").get_data(as_text=True)
    assert "Submit pledge evidence" in form and "This pledge: ¥1,000" in form and "Payment date" in form
    refused = post(client, f"/my/pledges/{row.id}/evidence", {"delivered_on": date.today().isoformat(), "summary": ""},
                   page=f"/my/pledges/{row.id}/evidence")
    assert refused.status_code == 422 and "Give an account of the delivery." in refused.get_data(as_text=True)
    withdrawn = post(client, f"/my/pledges/{row.id}/withdraw", {"reason": ""}, page=f"/my/pledges/{row.id}")
    assert "Give a reason for withdrawing the pledge (2 to 500 characters)." in withdrawn.get_data(as_text=True)


def test_the_pledge_queue_in_english(client, world):
    world.in_english(world.verifier)
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/pledges").get_data(as_text=True)
    assert "Pledge verification" in page and "No pledge evidence awaiting verification." in page
    assert "认捐核验" not in page


def test_the_report_page_in_english(client, world):
    world.household("341621100", hardships=["重病"])
    dibao = world.household(tier="dibao")
    with world.tx() as s:
        append(s, s.get(Household, dibao.id), source="government", category="other", title="低保金",
               amount_fen=60000, occurred_on=date.today() - timedelta(days=5))
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/reports").get_data(as_text=True)
    for text in ("Reports", "Coordination ledger", "Download: <a", "Excel (XLSX)",
                 "Blind spots: households in serious hardship with no assistance in the last 6 months",
                 "Serious hardship means Serious illness, ", ", or both Advanced age and Living alone",
                 "1 household", "Person no.", "Who does what where", "Government aid",
                 "received <strong>¥600.00</strong> each on average", "Months without assistance"):
        assert text in body, text
    assert "救助盲区" not in body and "统计期间" not in body
    assert "in the last 1 month<" in client.get("/staff/reports?months=1").get_data(as_text=True)
    bad = client.get("/staff/reports?from=2026-13-01")
    assert bad.status_code == 422 and "Dates must be written YYYY-MM-DD: 2026-13-01" in bad.get_data(as_text=True)
    outside = client.get("/staff/reports?region=341622")
    assert outside.status_code == 403 and "The chosen region is outside your region." in outside.get_data(as_text=True)
    # Downloads keep the prescribed Chinese headers whatever the reader's language.
    download = client.get("/staff/reports/blind-spots.csv")
    csv_text = download.get_data().decode("utf-8-sig")
    download.close()  # a temporary file the server closes after sending
    assert csv_text.startswith("对象编号,地区,救助类别,困难情形,最近一次救助")


def test_the_api_answers_in_the_language_asked(client, world):
    draft = world.need("draft")
    english = client.get(f"/api/v1/needs/{draft.id}", headers=EN)
    assert english.status_code == 404 and english.get_json()["error"] == "This need does not exist."
    chinese = client.get(f"/api/v1/needs/{draft.id}")
    assert chinese.get_json()["error"] == "需求不存在。"
    document = client.get("/api/v1/openapi.json", headers=EN).get_json()
    assert document["info"]["title"] == "Shanqiao public API"
    assert document["paths"]["/needs"]["get"]["summary"] == "Search aid needs"
    with world.tx() as s:
        assert s.get(Need, draft.id).status == "draft"


def test_a_claim_released_by_the_worker_says_why_in_english_and_stores_chinese(client, world):
    from marketplace.claims import service as claims
    from marketplace.modelbase import utcnow

    need = world.need("claimed", title="助学需求")
    with world.tx() as s:
        assert claims.expire_overdue(s, now=utcnow() + timedelta(days=8)) == 1
    claim = _claim(world, need)
    assert claim.end_reason == "认领后未按期开始，已自动释放"
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert "Note: Not started in time after claiming; released automatically" in page
