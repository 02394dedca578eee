"""Registration: a pending organisation, its administrator, its contact person kept encrypted."""

import pytest
from sqlalchemy import select
from stdnum.cn import uscc

from marketplace.auth.models import AppUser
from marketplace.errors import Invalid
from marketplace.organizations import service
from marketplace.organizations.models import Organization, OrganizationHistory
from support import post


def code(n: int) -> str:
    first17 = f"5134162100{n:07d}"
    return first17 + uscc.calc_check_digit(first17)


def form(**overrides):
    data = {"name": "涡阳县助学促进会", "kind": "social_org", "uscc": code(1), "region_code": "341621",
            "contact_name": "李秀兰", "contact_phone": "13955812345", "categories": ["education", "care"],
            "regions": ["341621100"], "email": "admin@zhuxue.org.cn", "display_name": "王主任",
            "password": "long-enough-password", "confirm": "long-enough-password"}
    data.update(overrides)
    return data


def test_registration_creates_a_pending_organisation_and_its_administrator(world, client, tx):
    response = post(client, "/organizations/register", form(), page="/organizations/register")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "登记申请已提交" in page and "待审核" in page
    with tx() as s:
        org = s.scalars(select(Organization).where(Organization.uscc == code(1))).one()
        assert (org.status, org.kind, org.region_code) == ("pending", "social_org", "341621")
        assert org.service_categories == "care education" and org.service_regions == "341621100"
        # personal data only as ciphertext
        assert b"13955812345" not in org.contact_phone_enc and world.vault.decrypt(org.contact_name_enc) == "李秀兰"
        admin = s.scalars(select(AppUser).where(AppUser.email == "admin@zhuxue.org.cn")).one()
        assert (admin.role, admin.organization_id, admin.org_role) == ("charity", org.id, "administrator")
        history = s.scalars(select(OrganizationHistory).where(OrganizationHistory.organization_id == org.id)).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "pending")]
    # the administrator is signed in and sees the organisation (and its contact) on 我的组织
    mine = client.get("/organization").get_data(as_text=True)
    assert "涡阳县助学促进会" in mine and "待审核" in mine and "13955812345" in mine


def test_the_registration_page_renders_for_anonymous_visitors(world, client):
    page = client.get("/organizations/register")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "统一社会信用代码" in text and "楚店镇" in text and 'for="contact_phone"' in text


@pytest.mark.parametrize("uscc_value, message", [
    ("5134162100000001", "有16位"),
    ("513416210000000O1X", "第16位「O」"),
])
def test_invalid_codes_are_refused_on_the_form(world, client, uscc_value, message):
    response = post(client, "/organizations/register", form(uscc=uscc_value), page="/organizations/register")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_wrong_check_character_on_the_form(world, client):
    good = code(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = post(client, "/organizations/register", form(uscc=wrong), page="/organizations/register")
    assert response.status_code == 422
    assert f"校验码应为 {good[17]}，实为 {wrong[17]}" in response.get_data(as_text=True)


def test_a_registered_code_is_refused(world, client, tx):
    assert post(client, "/organizations/register", form(), page="/organizations/register").status_code == 303
    stranger = client.application.test_client()
    response = post(stranger, "/organizations/register", form(email="someone@else.org.cn", name="另一家"),
                    page="/organizations/register")
    assert response.status_code == 422 and "已登记" in response.get_data(as_text=True)
    with tx() as s:
        assert s.scalars(select(AppUser).where(AppUser.email == "someone@else.org.cn")).first() is None


def test_service_validates_regions_and_contact(world, tx):
    base = dict(name="一家社会组织", kind="other", uscc=code(2), region_code="341621100", contact_name="赵敏",
                contact_phone="0558-7212345", email="a@org.cn", display_name="赵敏", password="long-enough-pw")
    with pytest.raises(Invalid) as error, tx() as s:
        service.register(s, world.vault, service.Registration(**{**base, "regions": ["999999"]}))
    assert error.value.field == "regions"
    with pytest.raises(Invalid) as error, tx() as s:
        service.register(s, world.vault, service.Registration(**{**base, "contact_phone": "12345"}))
    assert error.value.field == "contact_phone"
    with pytest.raises(Invalid) as error, tx() as s:
        service.register(s, world.vault, service.Registration(**{**base, "region_code": "341600"}))
    assert error.value.field == "region_code"
    with tx() as s:
        org, admin = service.register(s, world.vault, service.Registration(**base))
        assert org.kind == "other" and org.region_code == "341621100" and admin.org_role == "administrator"


def test_short_password_is_refused(world, client):
    response = post(client, "/organizations/register", form(password="short", confirm="short"),
                    page="/organizations/register")
    assert response.status_code == 422 and "密码至少10位" in response.get_data(as_text=True)
