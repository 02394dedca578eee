"""Numbers and text from requests: NaN, Infinity, overflow and control characters get a 422 naming the
field (they were 500s), ids beyond any row a 404, and a URL over 8 KB a 414."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.vocabulary import STAFF_DUTIES
from support import csrf_from, login, post


@pytest.fixture
def world(world):
    """The world's poster holds every duty: the needs these tests start from are posted by them."""
    with world.tx() as s:
        world.user(s, world.poster).duties = ",".join(STAFF_DUTIES)
    return world


def test_absurd_page_numbers_are_422_naming_the_parameter_not_500(client, world):
    for value in ("99999999999999999999", "NaN", "1e400", "-1", "Infinity"):
        response = client.get(f"/api/v1/needs?page={value}")
        assert response.status_code == 422 and response.get_json()["field"] == "page", value
        assert client.get(f"/needs?page={value}").status_code == 200  # the public page falls back to page 1
    login(client, "poster@guoyang.gov.cn")
    for url in ("/staff/households", "/staff/access-log", "/staff/reports"):
        response = client.get(f"{url}?page=99999999999999999999")
        assert response.status_code == 422 and "page 须为1至10000的整数" in response.get_data(as_text=True), url
    assert "月数须为1至60的整数" in client.get("/staff/reports?months=NaN").get_data(as_text=True)


def test_ids_beyond_any_row_are_404(client, world):
    assert client.get("/needs/99999999999999999999").status_code == 404
    assert client.get("/api/v1/needs/99999999999999999999").status_code == 404


def test_nan_and_infinity_in_amounts_are_refused_next_to_the_field(client, world):
    need = world.need("open")
    login(client, "member@charity.org.cn")
    for amount in ("NaN", "sNaN", "Infinity", "-inf", "1e999999999"):
        response = post(client, f"/needs/{need.id}/pledge", {"amount": amount}, page=f"/needs/{need.id}")
        assert response.status_code == 422, amount
        assert "请输入数字金额" in response.get_data(as_text=True) or "金额须大于0" in response.get_data(as_text=True)


def _evidence(client, world, form: str, fields: dict):
    need = world.need("in_progress", form=form)
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        world.attach_evidence(s, world.user(s, claim.claimant_id), need, claim=claim)  # the form's required photos
        claim_id = claim.id
    login(client, "helper@volunteer.cn" if form == "service" else "member@charity.org.cn")
    url = f"/my/claims/{claim_id}/evidence"
    return post(client, url, {"delivered_on": date.today().isoformat(), "summary": "已将物资送到家中", **fields},
                page=url)


def test_nan_hours_and_huge_quantities_on_the_evidence_form_are_422(client, world):
    for form, data in (("service", {"hours": "NaN"}), ("service", {"hours": "Infinity"}),
                       ("goods", {"quantity": "99999999999999999999"}), ("goods", {"quantity": "NaN"})):
        response = _evidence(client, world, form, data)
        assert response.status_code == 422, data
        body = response.get_data(as_text=True)
        assert "请输入" in body or "数值超出允许范围" in body, data
        post(client, "/logout")


def test_control_characters_are_refused_naming_the_field(client, world):
    response = client.get("/needs?q=%E5%AD%A6%00%E8%B4%B9")
    assert response.status_code == 422 and "「q」中含有不允许的控制字符" in response.get_data(as_text=True)
    api = client.get("/api/v1/needs?q=a%1Bb")
    assert api.status_code == 422 and api.get_json()["field"] == "q"
    token = csrf_from(client.get("/login"))
    refused = client.post("/login", data={"email": "poster@guoyang.gov.cn\x00", "password": "x", "csrf_token": token})
    assert refused.status_code == 422 and "「email」" in refused.get_data(as_text=True)
    # A text area's line breaks and tabs are text, not control characters.
    ok = _evidence(client, world, "goods", {"summary": "已送达。\r\n\t共五件。", "quantity": "5"})
    assert ok.status_code in (303, 204), ok.get_data(as_text=True)[-2000:]


def test_a_url_over_8_kb_is_414(client, world):
    response = client.get("/needs?q=" + "a" * 8200)
    assert response.status_code == 414 and "网址太长" in response.get_data(as_text=True)
    assert client.get("/needs?q=" + "a" * 8000).status_code == 200
