"""Role and region access on every page: visitors reach public pages only, staff only their region."""

import pytest
from sqlalchemy import func, select

from marketplace.registry.models import AccessLog
from support import login, post

PUBLIC = ["/", "/needs", "/login"]
STAFF_LISTS = ["/staff/households", "/staff/needs", "/staff/verify", "/staff/users"]


@pytest.fixture
def pages(world):
    need = world.need("open")
    draft = world.need("draft")
    claimed = world.need("claimed")
    with world.tx() as s:
        from marketplace.claims.service import live_claim
        from marketplace.needs.models import Need
        from marketplace.registry.models import Household

        code = s.get(Household, need.household_id).public_code
        claim_id = live_claim(s, s.get(Need, claimed.id)).id
    return {"need": need.id, "draft": draft.id, "code": code, "claim": claim_id}


def household_pages(p):
    return [f"/staff/households/{p['code']}", f"/staff/households/{p['code']}/needs/new"]


def test_anyone_reads_the_public_pages(client, pages):
    for url in PUBLIC + [f"/needs/{pages['need']}"]:
        assert client.get(url).status_code == 200, url


def test_visitors_are_sent_to_login_from_every_private_page(client, pages):
    for url in STAFF_LISTS + household_pages(pages) + ["/my/claims", f"/my/claims/{pages['claim']}/evidence"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("email", ["member@charity.org.cn", "helper@volunteer.cn"])
def test_fulfilers_get_403_on_staff_pages(client, pages, email):
    login(client, email)
    for url in STAFF_LISTS + household_pages(pages):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "没有" in response.get_data(as_text=True)


def test_staff_get_403_on_fulfiler_pages(client, pages):
    login(client, "poster@guoyang.gov.cn")
    assert client.get("/my/claims").status_code == 403
    assert client.get(f"/my/claims/{pages['claim']}/evidence").status_code == 403


def test_staff_reach_their_own_region(client, pages):
    login(client, "poster@guoyang.gov.cn")
    for url in STAFF_LISTS + household_pages(pages) + [f"/needs/{pages['draft']}"]:
        assert client.get(url).status_code == 200, url


def test_staff_of_another_county_get_403_on_the_household(client, pages):
    login(client, "staff@mengcheng.gov.cn")
    for url in household_pages(pages):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "不在您负责的行政区划内" in response.get_data(as_text=True)
    listing = client.get("/staff/households").get_data(as_text=True)
    assert pages["code"] not in listing


def test_township_staff_see_their_township_only(client, world, pages):
    other = world.household(region_code="341621101")
    login(client, "chudian@guoyang.gov.cn")
    assert client.get(f"/staff/households/{pages['code']}").status_code == 200
    assert client.get(f"/staff/households/{other.public_code}").status_code == 403


def test_drafts_are_not_public(client, pages):
    assert client.get(f"/needs/{pages['draft']}").status_code == 404
    login(client, "staff@mengcheng.gov.cn")
    assert client.get(f"/needs/{pages['draft']}").status_code == 404


def test_another_organizations_claim_is_forbidden(client, world, pages):
    login(client, "helper@volunteer.cn")
    assert client.get(f"/my/claims/{pages['claim']}/evidence").status_code == 403


def test_unknown_ids_are_404(client, pages):
    assert client.get("/needs/987654").status_code == 404
    login(client, "poster@guoyang.gov.cn")
    assert client.get("/staff/households/HZZZZZZZZ").status_code == 404
    assert client.get("/staff/households/HZZZZZZZZ/needs/new").status_code == 404


def test_viewing_a_household_chain_is_access_logged(client, world, pages):
    login(client, "verifier@guoyang.gov.cn")
    client.get(f"/staff/households/{pages['code']}")
    with world.tx() as s:
        rows = s.scalars(select(AccessLog)).all()
        assert [(r.user_id, r.action) for r in rows] == [(world.verifier, "view_chain")]


def test_a_refused_view_is_not_logged_as_a_view(client, world, pages):
    login(client, "staff@mengcheng.gov.cn")
    client.get(f"/staff/households/{pages['code']}")
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_a_view_of_the_need_form_is_logged_even_when_the_form_is_refused(client, world, pages):
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{pages['code']}/needs/new"
    response = post(client, page, {"title": ""}, page=page)
    assert response.status_code == 422
    with world.tx() as s:
        actions = [r.action for r in s.scalars(select(AccessLog))]
        assert actions == ["need_form", "need_form"]  # the GET for the token, then the refused POST
