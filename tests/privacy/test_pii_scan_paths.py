"""The scan is applied on every path where staff or an organisation writes text that someone outside the
region's staff reads: the issue's examples (an ID number typed in groups or in full-width digits on need
posting, a phone number in an evidence summary) and the reasons that go to organisations and volunteers."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.claims import discipline
from marketplace.claims import service as claims
from marketplace.demo.identities import id_number
from marketplace.errors import Invalid
from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment
from marketplace.needs.models import Need
from marketplace.organizations import service as organizations
from marketplace.organizations.models import Organization
from support import login, post

ID = id_number("341602", date(1958, 3, 12), 452)
GROUPED = f"{ID[:6]} {ID[6:14]} {ID[14:]}"  # 341602 19580312 452x, as the clerk typed it
WIDE = ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


@pytest.mark.parametrize(("field", "text", "span"), [
    ("description", f"户主身份证号 {GROUPED}，独居", GROUPED),
    ("title", f"冬季取暖{WIDE}", WIDE),
])
def test_an_id_number_typed_in_groups_or_full_width_is_refused_on_posting(client, world, field, text, span):
    household = world.household()
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    form = {"category": "care", "form": "service", "title": "独居老人上门助浴", "urgency": "normal", "source": "window",
            "description": "腿脚不便", "deadline": (date.today() + timedelta(days=30)).isoformat(),
            "contact_basis": "none", "age_band": "", "action": "publish"}
    response = post(client, page, {**form, field: text}, page=page)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body and f"「{span}」是身份证号" in body
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0
    client.post("/logout")
    listing = client.get("/api/v1/needs").get_data(as_text=True) + client.get("/needs").get_data(as_text=True)
    assert ID[6:14] not in listing and WIDE[6:14] not in listing


def test_an_evidence_summary_with_a_phone_number_is_refused(world):
    need = world.need("in_progress")
    with world.tx() as s, pytest.raises(Invalid) as raised:
        fulfilment.submit(s, world.user(s, world.charity), claims.live_claim(s, s.get(Need, need.id)),
                          fulfilment.EvidenceInput(delivered_on=date.today(), amount_fen=50000,
                                                   summary="学费已转入，家长电话138 1234 5678"))
    assert raised.value.field == "summary"
    assert "帮扶情况说明第11至23个字符「138 1234 5678」是电话号码" in raised.value.message
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Fulfilment)) == 0
        assert s.get(Need, need.id).status == "in_progress"


def test_the_households_name_in_evidence_is_refused_whatever_the_spacing(app, world):
    # The evidence service is not handed a vault: it takes the app's, as in a request.
    household = world.household(name="李玉兰")
    need = world.need("in_progress", household=household)
    with app.app_context(), world.tx() as s, pytest.raises(Invalid) as raised:
        fulfilment.submit(s, world.user(s, world.charity), claims.live_claim(s, s.get(Need, need.id)),
                          fulfilment.EvidenceInput(delivered_on=date.today(), amount_fen=50000,
                                                   summary="已交给李 玉 兰本人"))
    assert "「李 玉 兰」是该户人员姓名" in raised.value.message


def test_a_rejection_reason_with_an_id_number_is_refused(world):
    need = world.need("submitted")
    with world.tx() as s, pytest.raises(Invalid) as raised:
        row = s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()
        fulfilment.reject(s, world.user(s, world.verifier), row, f"照片里能看到身份证{ID}")
    assert raised.value.field == "reason" and raised.value.message.startswith("退回原因第10至27个字符")


def test_claim_release_and_transfer_reasons_are_scanned(world):
    need = world.need("claimed")
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, need.id))
        with pytest.raises(Invalid) as raised:
            claims.release(s, world.user(s, world.charity), claim, "请联系老人女儿 0558-7212345")
        assert "放弃原因第9至20个字符「0558-7212345」是电话号码" in raised.value.message
        with pytest.raises(Invalid) as raised:
            discipline.request_transfer(s, world.user(s, world.charity), claim, world.org_id, "转给卡号6222 0212 3456 7894的人")
        assert "「6222 0212 3456 7894」是银行卡号" in raised.value.message


def test_a_suspension_reason_is_scanned(world):
    with world.tx() as s:
        org = s.get(Organization, world.org_id)
        with pytest.raises(Invalid) as raised:
            organizations.decide(s, world.user(s, world.city), org, "suspend", "投诉人电话一三八一二三四五六七八")
    assert "暂停原因第6至16个字符「一三八一二三四五六七八」是电话号码" in raised.value.message
