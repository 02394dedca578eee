"""Account administration under least privilege (issue 11, findings 1 and 3): only holders of 账号管理
create accounts, never above their own scope, never granting a duty they lack; every change is in the
安全日志, and every denial too."""

import pytest
from sqlalchemy import select

from marketplace.auth import administration
from marketplace.auth.models import AppUser
from marketplace.errors import Forbidden, Invalid
from marketplace.security.models import SecurityEvent
from support import login, post

NEW = {"display_name": "新账号", "password": "a-long-password-2026"}


def _account(world, email):
    with world.tx() as s:
        return s.scalars(select(AppUser).where(AppUser.email == email)).first()


def _events(world, kind):
    with world.tx() as s:
        return list(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)))


# --- finding 1: a county clerk minted a province account ------------------------------------------------

def test_a_county_clerk_cannot_mint_a_province_account(client, world):
    login(client, "poster@guoyang.gov.cn")  # 涡阳县, holds every duty in the World
    response = post(client, "/staff/users", {**NEW, "email": "province@evil.cn", "role": "staff",
                                             "region_code": "340000", "organization_id": str(world.org_id)},
                    page="/staff/users")
    assert response.status_code in (403, 422)
    assert _account(world, "province@evil.cn") is None
    response = post(client, "/staff/users", {**NEW, "email": "province2@evil.cn", "role": "staff",
                                             "region_code": "340000"}, page="/staff/users")
    assert response.status_code == 422
    assert "高于或超出您本人的范围" in response.get_data(as_text=True)
    assert _account(world, "province2@evil.cn") is None


def test_a_charity_account_gets_its_organisations_region_whatever_the_form_says(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/users", {**NEW, "email": "member3@charity.org.cn", "role": "charity",
                                             "region_code": "340000", "organization_id": str(world.org_id)},
                    page="/staff/users")
    assert response.status_code == 303
    assert _account(world, "member3@charity.org.cn").region_code == "341621"  # the organisation's, not 340000


def test_a_township_clerk_creates_accounts_only_inside_the_township(world, tx):
    township = world.staff("admin@chudian.gov.cn", "341621100", duties=["accounts"])
    with tx() as s:
        actor = s.get(AppUser, township)
        with pytest.raises(Invalid):
            administration.create_user_as(s, actor, email="county@x.cn", role="staff", region_code="341621", **NEW)
        user = administration.create_user_as(s, actor, email="town@x.cn", role="staff", region_code="341621100",
                                             **NEW)
        assert user.region_code == "341621100"


# --- finding 3: any staff member could create a second staff account and verify their own posting ---------

def test_staff_without_the_accounts_duty_cannot_create_accounts(client, world):
    poster = world.staff("only.poster@guoyang.gov.cn", duties=["need_posting", "registry_import"])
    login(client, "only.poster@guoyang.gov.cn")
    assert client.get("/staff/users").status_code == 403
    response = post(client, "/staff/users", {**NEW, "email": "sock@guoyang.gov.cn", "role": "staff",
                                             "region_code": "341621", "duties": "verification"})
    assert response.status_code == 403
    assert _account(world, "sock@guoyang.gov.cn") is None
    denied = _events(world, "access.denied")
    assert [(e.actor_id, e.path, e.outcome) for e in denied][-1] == (poster, "/staff/users", "denied")


def test_the_accounts_duty_alone_cannot_grant_verification(client, world):
    world.staff("accounts@guoyang.gov.cn", duties=["accounts"])
    login(client, "accounts@guoyang.gov.cn")
    page = client.get("/staff/users").get_data(as_text=True)
    assert 'value="verification" disabled' in page  # offered only as what it is: not theirs to grant
    response = post(client, "/staff/users", {**NEW, "email": "sock@guoyang.gov.cn", "role": "staff",
                                             "region_code": "341621", "duties": "verification"},
                    page="/staff/users")
    assert response.status_code == 403
    assert "凭证核验" in response.get_data(as_text=True)
    assert _account(world, "sock@guoyang.gov.cn") is None
    assert _events(world, "account.create") == []
    # …nor add it to an existing staff account.
    plain = world.staff("plain@guoyang.gov.cn", "341621100", duties=["need_posting"])
    response = post(client, f"/staff/users/{plain}/staff",
                    {f"u{plain}-region_code": "341621100", f"u{plain}-duties": ["verification", "need_posting"]},
                    page="/staff/users")
    assert response.status_code == 403
    with world.tx() as s:
        assert s.get(AppUser, plain).duties == "need_posting"
    assert _events(world, "account.duties") == []


def test_account_creation_is_in_the_security_log(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/users", {**NEW, "email": "new.verifier@guoyang.gov.cn", "role": "staff",
                                             "region_code": "341621", "duties": ["verification"]},
                    page="/staff/users")
    assert response.status_code == 303
    user = _account(world, "new.verifier@guoyang.gov.cn")
    assert user.duties == "verification"
    [event] = _events(world, "account.create")
    assert (event.actor_id, event.subject_user_id, event.region_code) == (world.poster, user.id, "341621")
    assert event.detail["duties"] == "verification"


def test_duties_and_region_changes_are_scoped_logged_and_end_sessions(client, world, monkeypatch):
    ended = []
    monkeypatch.setattr(administration, "end_user_sessions",
                        lambda session, user, reason, keep_current=False: ended.append((user.id, reason)) or 0)
    target = world.township_staff
    login(client, "poster@guoyang.gov.cn")
    response = post(client, f"/staff/users/{target}/staff",
                    {f"u{target}-region_code": "341621101", f"u{target}-duties": ["need_posting"]},
                    page="/staff/users")
    assert response.status_code == 303
    with world.tx() as s:
        user = s.get(AppUser, target)
        assert (user.region_code, user.duties) == ("341621101", "need_posting")
    assert [e.detail["previous"] for e in _events(world, "account.scope")] == ["341621100"]
    [duties] = _events(world, "account.duties")
    assert duties.subject_user_id == target and "need_posting" not in duties.detail["removed"]
    assert ended == [(target, "account.scope"), (target, "account.duties")]
    # Never above the administrator's own scope.
    response = post(client, f"/staff/users/{target}/staff",
                    {f"u{target}-region_code": "341600", f"u{target}-duties": ["need_posting"]}, page="/staff/users")
    assert response.status_code == 422
    with world.tx() as s:
        assert s.get(AppUser, target).region_code == "341621101"


def test_deactivation_is_logged_and_ends_sessions(client, world, monkeypatch):
    ended = []
    monkeypatch.setattr(administration, "end_user_sessions",
                        lambda session, user, reason, keep_current=False: ended.append((user.id, reason)) or 0)
    login(client, "poster@guoyang.gov.cn")
    assert post(client, f"/staff/users/{world.volunteer}/active", {"active": "0"},
                page="/staff/users").status_code == 303
    assert post(client, f"/staff/users/{world.volunteer}/active", {"active": "1"},
                page="/staff/users").status_code == 303
    assert [e.subject_user_id for e in _events(world, "account.deactivate")] == [world.volunteer]
    assert [e.subject_user_id for e in _events(world, "account.activate")] == [world.volunteer]
    assert ended == [(world.volunteer, "account.deactivate")]


def test_the_users_page_shows_duties_with_labelled_checkboxes(client, world):
    login(client, "city@bozhou.gov.cn")
    page = client.get("/staff/users").get_data(as_text=True)
    assert "凭证核验" in page and "账号管理" in page
    assert f'<label class="choice" for="u{world.verifier}-duty-verification">' in page
    assert f'id="u{world.verifier}-duty-verification" name="u{world.verifier}-duties" value="verification" checked' \
        in page


# --- duties in the services, for paths without a route ---------------------------------------------------

def test_services_refuse_a_staff_member_without_the_duty_and_name_it(world, tx):
    need = world.need("draft")
    clerk = world.staff("reader@guoyang.gov.cn", duties=["verification"])
    from marketplace.needs import service as needs

    with tx() as s:
        with pytest.raises(Forbidden, match="需求发布"):
            needs.publish(s, s.get(AppUser, clerk), need)
        with pytest.raises(Forbidden, match="账号管理"):
            administration.create_user_as(s, s.get(AppUser, clerk), email="x@y.cn", role="volunteer",
                                          region_code="341621", **NEW)


def test_the_cli_makes_the_first_administrator(app, world, monkeypatch):
    from click.testing import CliRunner

    from marketplace import cli

    monkeypatch.setattr(cli, "_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["create-user", "--email", "first@bozhou.gov.cn", "--name", "管理员",
                                           "--role", "staff", "--region", "341600", "--duties", "all",
                                           "--password", "a-long-password-2026"])
    assert result.exit_code == 0, result.output
    assert _account(world, "first@bozhou.gov.cn").duty_set == {
        "accounts", "registry_import", "need_posting", "verification", "org_vetting", "rules", "purchasing"}
    [created] = _events(world, "account.create")
    assert created.subject_user_id == _account(world, "first@bozhou.gov.cn").id and created.actor_id is None
    result = CliRunner().invoke(cli.main, ["create-user", "--email", "x@bozhou.gov.cn", "--name", "某人",
                                           "--role", "staff", "--region", "341600", "--duties", "root",
                                           "--password", "a-long-password-2026"])
    assert result.exit_code == 2 and "root" in result.output


def test_the_menu_offers_only_what_the_duties_allow(client, world):
    world.staff("verifies@guoyang.gov.cn", duties=["verification"])
    login(client, "verifies@guoyang.gov.cn")
    menu = client.get("/staff/households").get_data(as_text=True)
    assert "核验队列" in menu and "救助对象" in menu
    assert "账号管理" not in menu and "重复救助规则" not in menu and "导入名单" not in menu
