"""Contact details go to staff of the household's region, and to the fulfiler whose claim is live only where
consent to share is recorded; every showing of private data is written to the access log."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.demo.identities import id_number
from marketplace.errors import Forbidden
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.privacy import contact
from marketplace.registry.models import AccessLog, Household
from support import login, post

NAME, PHONE, ADDRESS = "王桂英", "13905581234", "涡阳县楚店镇张庄村32号"
ID_NUMBER = id_number("341621", date(1958, 3, 7), 123)
STAFF_ARRANGE = "由工作人员安排联系"


@pytest.fixture
def household(world):
    return world.household(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS, head_birth_year=1958)


def ask(client, need_id, **kw):
    return post(client, f"/needs/{need_id}/contact", page=f"/needs/{need_id}", **kw)


def log(world):
    with world.tx() as s:
        return [(r.user_id, r.household_id, r.action, r.purpose, r.path)
                for r in s.scalars(select(AccessLog).order_by(AccessLog.id))]


def shows_contact(body: str) -> bool:
    return NAME in body and PHONE in body and ADDRESS in body


def test_staff_of_the_region_see_the_contact_and_each_view_is_logged(client, world, household):
    need = world.need("open", household=household)
    login(client, "poster@guoyang.gov.cn")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "查看联系方式" in page and not shows_contact(page)
    response = ask(client, need.id)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and shows_contact(body)
    assert ID_NUMBER not in body and "访问日志" in body
    assert log(world) == [(world.poster, household.id, "view_contact", "安排帮扶联系", f"/needs/{need.id}/contact")]
    ask(client, need.id)
    assert len(log(world)) == 2


def test_the_claimant_sees_the_contact_where_the_household_consented(client, world, household):
    need = world.need("claimed", household=household, contact_basis="household_consent")
    members = ((world.charity, "member@charity.org.cn"), (world.charity2, "member2@charity.org.cn"))
    for user_id, email in members:
        member = client.application.test_client()
        login(member, email)  # the claiming member, then a colleague in the same organization
        assert "查看联系方式" in member.get(f"/needs/{need.id}").get_data(as_text=True)
        response = ask(member, need.id)
        assert response.status_code == 200 and shows_contact(response.get_data(as_text=True))
        assert log(world)[-1] == (user_id, household.id, "view_contact", "履行认领的帮扶，联系受助户",
                                  f"/needs/{need.id}/contact")


def test_a_volunteer_claimant_sees_a_minors_contact_with_guardian_consent(client, world, household):
    need = world.need("in_progress", household=household, form="service", category="psychological",
                      title="留守儿童课后陪伴", age_band="minor", contact_basis="guardian_consent")
    login(client, "helper@volunteer.cn")
    response = ask(client, need.id, headers={"HX-Request": "true", "HX-Target": "contact-panel"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and shows_contact(body) and "<html" not in body  # the htmx fragment
    assert [row[:3] for row in log(world)] == [(world.volunteer, household.id, "view_contact")]


def test_without_recorded_consent_the_claimant_is_refused_and_staff_arrange_contact(client, world, household):
    need = world.need("claimed", household=household, contact_basis="none")
    login(client, "member@charity.org.cn")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert STAFF_ARRANGE in page and "查看联系方式" not in page
    response = ask(client, need.id)
    body = response.get_data(as_text=True)
    assert response.status_code == 403 and STAFF_ARRANGE in body and not shows_contact(body)
    assert log(world) == []


@pytest.mark.parametrize("email", ["helper@volunteer.cn", "member@pending.org.cn", "staff@mengcheng.gov.cn"])
def test_anyone_but_the_claimant_and_the_regions_staff_is_refused(client, world, household, email):
    need = world.need("claimed", household=household, contact_basis="household_consent")
    login(client, email)
    assert STAFF_ARRANGE in client.get(f"/needs/{need.id}").get_data(as_text=True)
    response = ask(client, need.id)
    assert response.status_code == 403 and STAFF_ARRANGE in response.get_data(as_text=True)
    assert log(world) == []


def test_a_visitor_is_refused(client, world, household):
    need = world.need("claimed", household=household, contact_basis="household_consent")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert STAFF_ARRANGE in page and "查看联系方式" not in page
    response = ask(client, need.id)  # a signed-in route (auth/policy.py): a visitor is sent to the login page
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    assert log(world) == []


def test_the_claim_ending_or_the_organization_being_suspended_ends_access(world, household, app):
    need = world.need("claimed", household=household, contact_basis="household_consent")
    vault = app.extensions["marketplace.vault"]
    with world.tx() as s:
        member, fresh = world.user(s, world.charity), s.get(Need, need.id)
        assert contact.contact_for(s, member, fresh, vault, "联系受助户").phone == PHONE
        s.get(Organization, world.org_id).status = "suspended"
        s.flush()
        with pytest.raises(Forbidden, match="未通过认证"):
            contact.contact_for(s, member, fresh, vault, "联系受助户")
        s.get(Organization, world.org_id).status = "approved"
        claims.release(s, member, claims.live_claim(s, fresh), "无法按期上门")
        with pytest.raises(Forbidden, match=STAFF_ARRANGE):
            contact.contact_for(s, member, fresh, vault, "联系受助户")


def test_the_chain_and_need_form_pages_show_the_identity_and_are_logged(client, world, household):
    login(client, "verifier@guoyang.gov.cn")
    chain = client.get(f"/staff/households/{household.public_code}").get_data(as_text=True)
    assert shows_contact(chain) and ID_NUMBER not in chain
    assert f"{ID_NUMBER[:4]}**********{ID_NUMBER[-4:]}" in chain
    client.get(f"/staff/households/{household.public_code}/needs/new")
    assert [row[2:4] for row in log(world)] == [("view_chain", "核对救助记录与户主身份"),
                                               ("need_form", "为该户发布帮扶需求")]
    assert {row[:2] for row in log(world)} == {(world.verifier, household.id)}


def test_public_pages_seen_by_staff_are_not_private_views(client, world, household):
    need = world.need("open", household=household)
    login(client, "poster@guoyang.gov.cn")
    for url in ("/", "/needs", f"/needs/{need.id}", "/staff/households", "/api/v1/needs"):
        body = client.get(url).get_data(as_text=True)
        assert NAME not in body and PHONE not in body, url
    assert log(world) == []


def test_identities_are_stored_encrypted_and_found_by_keyed_hash(world, household):
    with world.tx() as s:
        row = s.get(Household, household.id)
        columns = (row.head_name_enc, row.id_number_enc, row.phone_enc, row.address_enc)
        stored = b"".join(bytes(value) for value in columns)
        assert row.id_hmac == world.vault.lookup_key(ID_NUMBER) and ID_NUMBER not in row.id_hmac
    for secret in (NAME, ID_NUMBER, PHONE, ADDRESS):
        assert secret.encode() not in stored
