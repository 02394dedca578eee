"""回访 by staff of the need's region: received or not, satisfaction 1–5 only when it arrived, remarks
scanned for the household's identifiers, reachable from the need's staff page."""

from datetime import date, timedelta

import pytest
from confirm_support import claim_of, fulfilment_of
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation import service as confirmation
from marketplace.confirmation.models import FollowUp
from marketplace.errors import Forbidden, Invalid
from marketplace.needs.models import Need
from support import login, post


def _record(world, need, staff=None, **kw):
    values = dict(visited_on=date.today(), method="visit", received=True, satisfaction=4, remarks=None)
    values.update(kw)
    claim_id = claim_of(world, need.id).id
    with world.tx() as s:
        return confirmation.record_follow_up(s, world.user(s, staff or world.poster), s.get(Need, need.id),
                                             claim=s.get(Claim, claim_id), **values)


def test_a_follow_up_is_kept_with_the_claims_organisation(world):
    need = world.need("submitted")
    row = _record(world, need, remarks="老人说学费已交，孩子已入学。")
    assert row.organization_id == world.org_id and row.received and row.satisfaction == 4
    assert row.recorded_by_id == world.poster and row.remarks == "老人说学费已交，孩子已入学。"


@pytest.mark.parametrize("kw, field", [
    ({"satisfaction": None}, "satisfaction"), ({"satisfaction": 6}, "satisfaction"), ({"satisfaction": 0}, "satisfaction"),
    ({"method": "letter"}, "method"), ({"visited_on": date.today() + timedelta(days=1)}, "visited_on"),
    ({"visited_on": None}, "visited_on"), ({"remarks": "好" * 501}, "remarks"),
])
def test_bad_follow_ups_are_refused_with_the_field(world, kw, field):
    need = world.need("submitted")
    with pytest.raises(Invalid) as raised:
        _record(world, need, **kw)
    assert raised.value.field == field


def test_remarks_naming_the_household_or_a_phone_are_refused(app, world):
    household = world.household(name="张桂兰", phone="13912345678")
    need = world.need("submitted", household=household)
    for remarks, what in (("张桂兰说已收到", "该户人员姓名"), ("回访电话 139 1234 5678", "电话号码")):
        with app.app_context(), pytest.raises(Invalid) as raised:  # the app's vault knows the name
            _record(world, need, remarks=remarks, staff=world.verifier)
        assert raised.value.field == "remarks" and "回访备注" in raised.value.message and what in raised.value.message
    with world.tx() as s:
        assert s.scalars(select(FollowUp)).all() == []


def test_only_staff_of_the_region_record_follow_ups(world):
    need = world.need("submitted")
    for who in (world.other_county, world.charity):
        with pytest.raises(Forbidden):
            _record(world, need, staff=who)


def test_no_follow_up_before_the_aid_is_on_its_way(world):
    need = world.need("claimed")
    with pytest.raises(Invalid) as raised:
        _record(world, need)
    assert raised.value.field == "target"


def test_the_follow_up_form_on_the_need_page(client, world):
    need = world.need("submitted")
    claim = claim_of(world, need.id)
    login(client, "poster@guoyang.gov.cn")
    detail = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert f"/staff/needs/{need.id}/confirmation" in detail
    url = f"/staff/needs/{need.id}/confirmation"
    page = client.get(url)
    assert page.status_code == 200 and "记录回访" in page.get_data(as_text=True)
    form = {"target": f"claim-{claim.id}", "visited_on": date.today().isoformat(), "method": "phone",
            "received": "yes", "satisfaction": "", "remarks": ""}
    refused = post(client, f"/staff/needs/{need.id}/follow-ups", form, page=url)
    assert refused.status_code == 422 and "满意度" in refused.get_data(as_text=True)
    response = post(client, f"/staff/needs/{need.id}/follow-ups", form | {"satisfaction": "5"}, page=url)
    assert response.status_code == 303
    body = client.get(url).get_data(as_text=True)
    assert "已收到" in body and "电话" in body and "已确认" in body
    with world.tx() as s:
        [row] = s.scalars(select(FollowUp)).all()
        assert (row.method, row.received, row.satisfaction, row.claim_id) == ("phone", True, 5, claim.id)


def test_the_follow_up_form_is_refused_to_other_counties_and_to_staff_without_the_duty(client, world):
    need = world.need("submitted")
    claim = claim_of(world, need.id)
    form = {"target": f"claim-{claim.id}", "visited_on": date.today().isoformat(), "method": "visit",
            "received": "no"}
    login(client, "staff@mengcheng.gov.cn")
    assert client.get(f"/staff/needs/{need.id}/confirmation").status_code == 403
    assert post(client, f"/staff/needs/{need.id}/follow-ups", form).status_code == 403
    world.staff("reader@guoyang.gov.cn", duties=["verification"])
    reader = client.application.test_client()
    login(reader, "reader@guoyang.gov.cn")
    assert reader.get(f"/staff/needs/{need.id}/confirmation").status_code == 200
    assert post(reader, f"/staff/needs/{need.id}/follow-ups", form).status_code == 403
    with world.tx() as s:
        assert s.scalars(select(FollowUp)).all() == []


def test_the_verification_page_links_the_follow_up_page(client, world):
    need = world.need("submitted")
    login(client, "verifier@guoyang.gov.cn")
    body = client.get(f"/staff/verify/{fulfilment_of(world, need.id).id}").get_data(as_text=True)
    assert f"/staff/needs/{need.id}/confirmation" in body
