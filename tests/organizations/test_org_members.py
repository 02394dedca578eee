"""我的组织: invitations by single-use link, roles, removing members, the last administrator."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.auth.models import AppUser
from marketplace.errors import Conflict, Forbidden
from marketplace.modelbase import utcnow
from marketplace.notify.outbox_mail import opened
from marketplace.organizations import members
from marketplace.organizations.models import Invitation, Organization
from marketplace.outbox.models import OutboxMessage
from support import PASSWORD, login, post


@pytest.fixture
def admin(world, tx):
    """member@charity.org.cn becomes the organisation's administrator (World predates roles)."""
    with tx() as s:
        s.get(AppUser, world.charity).org_role = "administrator"
    return world.charity


def invite(world, tx, admin_id, email="new@charity.org.cn", role="coordinator"):
    with tx() as s:
        org = s.get(Organization, world.org_id)
        invitation, token = members.invite(s, world.user(s, admin_id), org, email, role)
        return invitation.id, token


def test_an_invitation_stores_only_a_hash_and_queues_a_mail(world, tx, admin):
    invitation_id, token = invite(world, tx, admin)
    with tx() as s:
        invitation = s.get(Invitation, invitation_id)
        assert token not in invitation.token_hash and invitation.token_hash == members.token_hash(token)
        message = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == f"invitation:{invitation_id}")).one()
        assert (message.topic, message.kind) == ("mail", "org.invitation")
        assert message.payload["to"] == "new@charity.org.cn" and f"/invitations/{token}" in opened(message.payload)["text"]
        assert token not in str(message.payload)  # the live link is sealed at rest


def test_only_administrators_invite(world, tx, admin):
    with pytest.raises(Forbidden):
        invite(world, tx, world.charity2)


def test_the_invitee_sets_a_password_and_joins_once(world, tx, admin, client):
    _, token = invite(world, tx, admin)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200 and "协调员" in page.get_data(as_text=True)
    response = post(client, f"/invitations/{token}", {"display_name": "新成员", "password": PASSWORD,
                                                      "confirm": PASSWORD}, page=f"/invitations/{token}")
    assert response.status_code == 303
    with tx() as s:
        user = s.scalars(select(AppUser).where(AppUser.email == "new@charity.org.cn")).one()
        assert (user.role, user.organization_id, user.org_role) == ("charity", world.org_id, "coordinator")
    assert "新成员" in client.get("/organization").get_data(as_text=True)
    again = client.application.test_client()
    assert again.get(f"/invitations/{token}").status_code == 409  # single use


def test_an_expired_invitation_cannot_be_used(world, tx, admin, client):
    invitation_id, token = invite(world, tx, admin)
    with tx() as s:
        s.execute(update(Invitation).where(Invitation.id == invitation_id)
                  .values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 409 and "已过期" in response.get_data(as_text=True)
    assert client.get("/invitations/not-a-token").status_code == 404


def test_a_signed_in_charity_account_without_organisation_accepts(world, tx, admin, client):
    _, token = invite(world, tx, admin, email="loner@charity.org.cn", role="member")
    with tx() as s:
        from marketplace.auth.service import create_user

        pending = s.get(Organization, s.get(AppUser, world.pending_member).organization_id)
        loner = create_user(s, email="loner@charity.org.cn", password=PASSWORD, display_name="独行",
                            role="charity", organization_id=pending.id)
        loner.organization_id = None  # e.g. removed from an earlier organisation
    login(client, "loner@charity.org.cn")
    response = post(client, f"/invitations/{token}", {}, page=f"/invitations/{token}")
    assert response.status_code == 303
    with tx() as s:
        loner = s.scalars(select(AppUser).where(AppUser.email == "loner@charity.org.cn")).one()
        assert (loner.organization_id, loner.org_role) == (world.org_id, "member")


def test_an_invitation_for_another_address_is_refused_to_a_signed_in_user(world, tx, admin, client):
    _, token = invite(world, tx, admin, email="someone@charity.org.cn")
    login(client, "member@pending.org.cn")
    response = post(client, f"/invitations/{token}", {}, page=f"/invitations/{token}")
    assert response.status_code == 403


def test_the_administrator_sees_the_link_once_on_the_page(world, tx, admin, client):
    login(client, "member@charity.org.cn")
    response = post(client, "/organization/invitations", {"email": "x@charity.org.cn", "role": "member"},
                    page="/organization")
    assert response.status_code == 201
    link = re.search(r'value="(http://[^"]+/invitations/[^"]+)"', response.get_data(as_text=True)).group(1)
    assert client.application.test_client().get(link).status_code == 200
    assert "/invitations/" not in client.get("/organization").get_data(as_text=True)


def test_roles_change_and_the_last_administrator_is_protected(world, tx, admin):
    with pytest.raises(Conflict, match="至少需要一名管理员"), tx() as s:
        org = s.get(Organization, world.org_id)
        members.change_role(s, world.user(s, admin), org, world.user(s, admin), "member")
    with pytest.raises(Conflict, match="唯一的管理员"), tx() as s:
        org = s.get(Organization, world.org_id)
        members.remove(s, world.user(s, admin), org, world.user(s, admin))
    with tx() as s:
        org = s.get(Organization, world.org_id)
        members.change_role(s, world.user(s, admin), org, world.user(s, world.charity2), "administrator")
        members.change_role(s, world.user(s, admin), org, world.user(s, admin), "coordinator")
        assert world.user(s, admin).org_role == "coordinator"
    with pytest.raises(Forbidden), tx() as s:  # no longer an administrator
        org = s.get(Organization, world.org_id)
        members.remove(s, world.user(s, admin), org, world.user(s, world.charity2))


def test_removing_a_member_keeps_the_account(world, tx, admin, client):
    login(client, "member@charity.org.cn")
    response = post(client, f"/organization/members/{world.charity2}/remove", {}, page="/organization")
    assert response.status_code == 303
    with tx() as s:
        removed = s.get(AppUser, world.charity2)
        assert removed.organization_id is None and removed.org_role is None and removed.is_active
    refused = post(client, f"/organization/members/{world.charity}/remove", {}, page="/organization")
    assert refused.status_code == 409 and "唯一的管理员" in refused.get_data(as_text=True)


def test_role_change_through_the_page(world, tx, admin, client):
    login(client, "member@charity.org.cn")
    response = post(client, f"/organization/members/{world.charity2}/role", {f"m{world.charity2}-role": "coordinator"},
                    page="/organization")
    assert response.status_code == 303
    with tx() as s:
        assert s.get(AppUser, world.charity2).org_role == "coordinator"


def test_plain_members_see_members_but_no_management_or_contact(world, tx, admin, client):
    login(client, "member2@charity.org.cn")
    page = client.get("/organization").get_data(as_text=True)
    assert "member@charity.org.cn" in page and "创建邀请链接" not in page and "移出组织" not in page
    response = post(client, "/organization/invitations", {"email": "x@y.cn", "role": "member"}, page="/organization")
    assert response.status_code == 403


def test_a_removed_or_demoted_member_is_signed_out_at_once(world, tx, admin, app):
    """A member's browser signed in under the old organisation rights does not keep them."""
    removed, demoted, admin_client = app.test_client(), app.test_client(), app.test_client()
    with tx() as s:
        extra = s.get(AppUser, world.charity2)
        from marketplace.auth.service import create_user

        second = create_user(s, email="third@charity.org.cn", password=PASSWORD, display_name="third",
                             role="charity", organization_id=world.org_id)
        second.org_role = "coordinator"
        third_id = second.id
        assert extra.organization_id == world.org_id
    login(removed, "member2@charity.org.cn")
    login(demoted, "third@charity.org.cn")
    assert removed.get("/organization").status_code == 200
    login(admin_client, "member@charity.org.cn")
    assert post(admin_client, f"/organization/members/{world.charity2}/remove", {}, page="/organization").status_code == 303
    assert post(admin_client, f"/organization/members/{third_id}/role", {f"m{third_id}-role": "member"},
                page="/organization").status_code == 303
    for client in (removed, demoted):
        response = client.get("/organization")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.status_code
    assert admin_client.get("/organization").status_code == 200
