"""组织审核: staff of the organisation's region approve, reject, suspend and reinstate, with reasons."""

import pytest
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.organizations import service
from marketplace.organizations.models import Organization, OrganizationHistory
from support import login, post


def pending_id(tx):
    with tx() as s:
        return s.scalars(select(Organization.id).where(Organization.status == "pending")).one()


def decide(world, tx, staff_id, org_id, action, reason=None):
    with tx() as s:
        org = s.get(Organization, org_id)
        return service.decide(s, world.user(s, staff_id), org, action, reason).status


def test_staff_in_scope_approve_and_the_decision_is_recorded(world, tx):
    org_id = pending_id(tx)
    assert decide(world, tx, world.city, org_id, "approve") == "approved"
    with tx() as s:
        rows = s.scalars(select(OrganizationHistory).where(OrganizationHistory.organization_id == org_id)).all()
        assert [(r.actor_id, r.from_status, r.to_status) for r in rows] == [(world.city, "pending", "approved")]


@pytest.mark.parametrize("reason", [None, "", "太短", "x" * 501])
def test_rejection_needs_a_reason_of_4_to_500_characters(world, tx, reason):
    org_id = pending_id(tx)
    with pytest.raises(Invalid) as error:
        decide(world, tx, world.poster, org_id, "reject", reason)
    assert error.value.field == "reason"
    with tx() as s:
        assert s.get(Organization, org_id).status == "pending"


def test_staff_of_another_county_cannot_decide(world, tx):
    org_id = pending_id(tx)
    with pytest.raises(Forbidden):
        decide(world, tx, world.other_county, org_id, "approve")


def test_suspension_and_reinstatement_follow_the_rules(world, tx):
    with pytest.raises(Conflict):  # only an approved organisation can be suspended
        decide(world, tx, world.poster, pending_id(tx), "suspend", "未按规定公示财务")
    with pytest.raises(Invalid):
        decide(world, tx, world.poster, world.org_id, "suspend", "")
    assert decide(world, tx, world.poster, world.org_id, "suspend", "未按规定公示财务") == "suspended"
    with pytest.raises(Conflict):
        decide(world, tx, world.poster, world.org_id, "approve")
    with pytest.raises(Invalid):
        decide(world, tx, world.poster, world.org_id, "reinstate")
    assert decide(world, tx, world.poster, world.org_id, "reinstate", "已整改并补充公示") == "approved"
    with tx() as s:
        assert s.get(Organization, world.org_id).status_reason is None
        rows = s.scalars(select(OrganizationHistory.to_status)
                         .where(OrganizationHistory.organization_id == world.org_id)).all()
        assert rows == ["suspended", "approved"]


def test_a_suspended_organisation_cannot_claim(world, tx):
    need = world.need("open")
    decide(world, tx, world.poster, world.org_id, "suspend", "未按规定公示财务")
    with pytest.raises(Forbidden), tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.merge(need))
    decide(world, tx, world.poster, world.org_id, "reinstate", "已整改并补充公示")
    with tx() as s:
        assert claims.claim_need(s, world.user(s, world.charity), s.merge(need)).status == "active"


def test_members_of_a_suspended_organisation_see_the_reason_everywhere(world, tx, client):
    decide(world, tx, world.poster, world.org_id, "suspend", "未按规定公示财务")
    login(client, "member@charity.org.cn")
    assert "未按规定公示财务" in client.get("/organization").get_data(as_text=True)
    assert "未按规定公示财务" in client.get("/my/claims").get_data(as_text=True)


def test_members_of_a_rejected_organisation_see_the_reason(world, client):
    login(client, "poster@guoyang.gov.cn")
    org_id = None
    response = client.get("/staff/organizations")
    assert response.status_code == 200  # the status filter is not the HTTP status
    page = response.get_data(as_text=True)
    assert "待审核公益社" in page and "涡阳县慈善协会" not in page  # pending by default
    org_id = int(page.split("/staff/organizations/")[1].split('"')[0])
    refused = post(client, f"/staff/organizations/{org_id}/reject", {"reject-reason": "短"},
                   page=f"/staff/organizations/{org_id}")
    assert refused.status_code == 422 and "4至500字" in refused.get_data(as_text=True)
    response = post(client, f"/staff/organizations/{org_id}/reject", {"reject-reason": "登记证书已过有效期"},
                    page=f"/staff/organizations/{org_id}")
    assert response.status_code == 303
    detail = client.get(f"/staff/organizations/{org_id}").get_data(as_text=True)
    assert "未通过" in detail and "登记证书已过有效期" in detail and "poster" in detail
    member = client.application.test_client()
    login(member, "member@pending.org.cn")
    page = member.get("/organization").get_data(as_text=True)
    assert "登记未通过审核" in page and "登记证书已过有效期" in page


def test_other_county_staff_get_403_on_the_pages(world, client, tx):
    org_id = pending_id(tx)
    login(client, "staff@mengcheng.gov.cn")
    assert "待审核公益社" not in client.get("/staff/organizations").get_data(as_text=True)
    assert client.get(f"/staff/organizations/{org_id}").status_code == 403
    response = post(client, f"/staff/organizations/{org_id}/approve", {}, page="/staff/organizations")
    assert response.status_code == 403
    with tx() as s:
        assert s.get(Organization, org_id).status == "pending"


def test_charity_members_cannot_open_the_vetting_page(world, client):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/organizations").status_code == 403


def test_filters_by_status_and_name(world, client, tx):
    decide(world, tx, world.poster, world.org_id, "suspend", "未按规定公示财务")
    login(client, "city@bozhou.gov.cn")
    page = client.get("/staff/organizations?status=suspended").get_data(as_text=True)
    assert "涡阳县慈善协会" in page and "待审核公益社" not in page
    page = client.get("/staff/organizations?status=all&q=公益社").get_data(as_text=True)
    assert "待审核公益社" in page and "涡阳县慈善协会" not in page
