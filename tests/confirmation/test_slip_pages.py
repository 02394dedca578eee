"""The two copies of the 送达回执 and the public page its QR code opens: the code only on the household's
copy and only for staff of the region, nothing identifying anywhere, the QR code carrying nothing but the
/receipts/ URL."""

import segno
from confirm_support import claim_of, other_org_member, pledge, slip_of
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation import service as confirmation
from marketplace.confirmation.pages import qr_svg
from marketplace.pledges.models import Pledge
from support import login

NAME, ID_NUMBER, PHONE, ADDRESS = "张桂兰", "341621195803127716", "13912345678", "安徽省亳州市涡阳县楚店镇张庄村3组18号"


def _need(world, state="in_progress"):
    household = world.household(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
    return world.need(state, household=household)


def _area(world, need) -> str:
    """Where the public projection places the need: the township, or only the county for a small group."""
    from marketplace.needs.listing import public_need
    from marketplace.needs.models import Need

    with world.tx() as s:
        return public_need(s, s.get(Need, need.id)).area


def _no_identity(body: str) -> None:
    for value in (NAME, ID_NUMBER, PHONE, "张庄村", "18号"):
        assert value not in body


def test_the_household_copy_shows_the_code_to_staff_of_the_region_and_marks_it_printed(client, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    login(client, "chudian@guoyang.gov.cn")
    response = client.get(f"/staff/claims/{claim.id}/slip")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    slip = slip_of(world, claim.id)
    assert slip.printed_at is not None and slip.created_by_id == world.township_staff
    assert f"<strong>{slip.code}</strong>" in body and "受助方联" in body
    assert "大一新生学费缺口" in body and f"<dd>{_area(world, need)}</dd>" in body and "涡阳县慈善协会" in body
    assert f"认领 #{claim.id}" in body and "3,000 元" in body
    assert "slip.css" in body  # A5 print stylesheet
    _no_identity(body)


def test_the_household_copy_is_refused_to_everyone_else(app, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    for email in ("staff@mengcheng.gov.cn", "member@charity.org.cn", "helper@volunteer.cn"):
        client = app.test_client()
        login(client, email)
        response = client.get(f"/staff/claims/{claim.id}/slip")
        assert response.status_code == 403, email
    world.staff("reader@guoyang.gov.cn", duties=["verification"])  # a verifier does not hand out codes
    client = app.test_client()
    login(client, "reader@guoyang.gov.cn")
    assert client.get(f"/staff/claims/{claim.id}/slip").status_code == 403
    assert app.test_client().get(f"/staff/claims/{claim.id}/slip").status_code == 302  # to the login page
    assert slip_of(world, claim.id) is None  # no slip was made for any of them


def test_the_fulfilers_copy_has_lines_to_sign_and_no_code(client, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    login(client, "member@charity.org.cn")
    assert f'href="/my/claims/{claim.id}"' in client.get("/my/claims").get_data(as_text=True)
    assert f"/my/claims/{claim.id}/slip" in client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    response = client.get(f"/my/claims/{claim.id}/slip")
    body = response.get_data(as_text=True)
    slip = slip_of(world, claim.id)
    assert response.status_code == 200 and "帮扶方联" in body
    assert "受助方或村（居）委会代签" in body and "日期" in body
    assert slip.code not in body.replace(slip.ref, "")
    assert slip.printed_at is None  # the fulfiler's copy is not the code leaving the platform
    _no_identity(body)


def test_another_organisation_cannot_open_a_claims_slip(app, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    for who in (other_org_member(world), "helper@volunteer.cn"):
        client = app.test_client()
        login(client, who)
        assert client.get(f"/my/claims/{claim.id}/slip").status_code in (403, 404)


def test_the_qr_code_carries_only_the_receipt_url(client, world, app):
    need = _need(world)
    claim = claim_of(world, need.id)
    login(client, "member@charity.org.cn")
    body = client.get(f"/my/claims/{claim.id}/slip").get_data(as_text=True)
    slip = slip_of(world, claim.id)
    url = f"{app.config['BASE_URL']}/receipts/{slip.ref}"
    # The symbol on the page is exactly the one segno makes of that URL alone: its payload is the URL.
    with app.app_context():
        assert qr_svg(url) in body
    symbol = segno.make(url, error="m")
    assert symbol.mode == "byte" and len(url.encode()) <= 60  # a short URL, no room for anything else
    assert url in body and len(slip.ref) == 12 and slip.code not in url


def test_a_pledge_has_its_own_slips(app, world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    client = app.test_client()
    login(client, "member2@charity.org.cn")  # any member of the pledging organisation
    assert f'href="/my/pledges/{p.id}"' in client.get("/my/pledges").get_data(as_text=True)
    assert f"/my/pledges/{p.id}/slip" in client.get(f"/my/pledges/{p.id}").get_data(as_text=True)
    body = client.get(f"/my/pledges/{p.id}/slip").get_data(as_text=True)
    assert f"认捐 #{p.id}" in body and "1,000 元" in body
    staff = app.test_client()
    login(staff, "poster@guoyang.gov.cn")
    body = staff.get(f"/staff/pledges/{p.id}/slip").get_data(as_text=True)
    with world.tx() as s:
        slip = confirmation.find(s, pledge=s.get(Pledge, p.id))
    assert f"<strong>{slip.code}</strong>" in body


def test_the_receipt_page_says_genuine_and_confirmed_without_identifying_anyone(client, world):
    need = _need(world, "verified")  # World.confirm_delivery entered the code
    with world.tx() as s:
        claim_id = s.scalars(select(Claim.id).where(Claim.need_id == need.id)).one()
    slip = slip_of(world, claim_id)
    response = client.get(f"/receipts/{slip.ref}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex"
    assert "有效送达回执" in body and "受助方已于" in body and "确认收到（确认码）" in body
    assert "大一新生学费缺口" in body and f"<dd>{_area(world, need)}</dd>" in body
    _no_identity(body)
    assert slip.code not in body and "涡阳县慈善协会" not in body and "认领 #" not in body
    assert client.get("/receipts/not-a-ref").status_code == 404
    assert client.get("/receipts/" + "A" * 40).status_code == 404


def test_an_unconfirmed_slip_says_so(client, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    with world.tx() as s:
        slip = confirmation.slip_for(s, claim=s.get(Claim, claim.id))
    body = client.get(f"/receipts/{slip.ref}").get_data(as_text=True)
    assert "尚未确认收到" in body


def test_the_staff_need_page_links_the_household_copy_and_reissue(client, world):
    need = _need(world)
    claim = claim_of(world, need.id)
    login(client, "poster@guoyang.gov.cn")
    body = client.get(f"/staff/needs/{need.id}/confirmation").get_data(as_text=True)
    assert f"/staff/claims/{claim.id}/slip" in body and "尚未确认" in body
    client.get(f"/staff/claims/{claim.id}/slip")
    body = client.get(f"/staff/needs/{need.id}/confirmation").get_data(as_text=True)
    assert "重新出具确认码" in body and "已于" in body
    assert slip_of(world, claim.id).code not in body
