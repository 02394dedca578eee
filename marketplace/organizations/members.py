"""Members of an organisation: invitations by single-use link, roles, removal. Services flush, never commit.

The invitation token is 256 random bits handed out once (in the link); the database keeps its SHA-256,
which is enough for a token that is never guessed, only looked up."""

import hashlib
import secrets
from datetime import UTC, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from ..auth.models import AppUser
from ..auth.service import create_user, normalise_email
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..i18n import _
from ..modelbase import utcnow
from ..notify import emitters as notify
from ..vocabulary import ORG_ROLES
from .access import ADMIN, org_role, require_admin, require_member
from .models import Invitation, Organization

VALID_FOR = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def members(session: Session, actor, org: Organization) -> list[AppUser]:
    require_member(actor, org)
    return list(session.scalars(select(AppUser).where(AppUser.organization_id == org.id)
                                .order_by(AppUser.display_name, AppUser.id)))


def pending_invitations(session: Session, actor, org: Organization) -> list[Invitation]:
    require_admin(actor, org)
    query = select(Invitation).where(Invitation.organization_id == org.id, Invitation.accepted_at.is_(None),
                                     Invitation.expires_at > utcnow())
    return list(session.scalars(query.order_by(Invitation.created_at.desc())))


def invite(session: Session, actor, org: Organization, email: str, role: str) -> tuple[Invitation, str]:
    """A new invitation and its token (returned once, for the link; only its hash is stored)."""
    require_admin(actor, org)
    if org.status == "rejected":
        raise Conflict(_("组织登记未通过审核，不能邀请成员。"))
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(_("请输入有效的电子邮箱地址。"), "email")
    if role not in ORG_ROLES:
        raise Invalid(_("请选择成员角色。"), "role")
    existing = session.scalars(select(AppUser).where(AppUser.email == email)).first()
    if existing is not None and existing.organization_id == org.id:
        raise Invalid(_("该邮箱的账号已是本组织成员。"), "email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organization_id=org.id, email=email, org_role=role, token_hash=token_hash(token),
                            invited_by_id=actor.id, expires_at=utcnow() + VALID_FOR)
    session.add(invitation)
    session.flush()
    # Delivered by the mail worker after commit; the message carries no household data.
    notify.invitation(session, invitation, org, token)
    return invitation, token


def open_invitation(session: Session, token: str) -> Invitation:
    """The invitation a link names, if it can still be used."""
    invitation = session.scalars(select(Invitation).where(Invitation.token_hash == token_hash(token or ""))).first()
    if invitation is None:
        raise NotFound(_("邀请链接无效。请向组织管理员索取新的邀请链接。"))
    if invitation.accepted_at is not None:
        raise Conflict(_("该邀请链接已被使用。每个邀请链接只能使用一次；如需帮助请联系组织管理员。"))
    expires = invitation.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive datetimes (stored in UTC)
        expires = expires.replace(tzinfo=UTC)
    if expires <= utcnow():
        raise Conflict(_("该邀请链接已过期（有效期7天）。请向组织管理员索取新的邀请链接。"))
    return invitation


def _use(session: Session, invitation: Invitation, user: AppUser) -> None:
    # Conditional, so two tabs submitting the same link cannot both join.
    result = session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                      Invitation.accepted_at.is_(None))
                             .values(accepted_at=utcnow(), accepted_by_id=user.id))
    if result.rowcount != 1:
        raise Conflict(_("该邀请链接已被使用。"))
    session.refresh(invitation)


def accept_new(session: Session, token: str, display_name: str, password: str) -> AppUser:
    """The invitee has no account yet: one is created with the invited e-mail address."""
    invitation = open_invitation(session, token)
    taken = session.scalar(select(func.count()).select_from(AppUser).where(AppUser.email == invitation.email))
    if taken:
        raise Invalid(_("该邮箱已有账号，请先登录，再打开邀请链接接受邀请。"), "display_name")
    user = create_user(session, email=invitation.email, password=password, display_name=display_name,
                       role="charity", organization_id=invitation.organization_id)
    user.org_role = invitation.org_role
    _use(session, invitation, user)
    session.flush()
    return user


def accept_existing(session: Session, actor, token: str) -> AppUser:
    """A signed-in charity account without an organisation joins with the invited role."""
    invitation = open_invitation(session, token)
    if actor.role != "charity" or actor.organization_id is not None:
        raise Forbidden(_("只有尚未加入组织的慈善组织账号可以接受邀请。"))
    if normalise_email(actor.email) != invitation.email:
        raise Forbidden(_("该邀请发给另一个邮箱地址。请用受邀邮箱登录，或请管理员重新邀请您的邮箱。"))
    actor.organization_id = invitation.organization_id
    actor.org_role = invitation.org_role
    _use(session, invitation, actor)
    session.flush()
    return actor


def _admin_count(session: Session, org: Organization) -> int:
    return session.scalar(select(func.count()).select_from(AppUser)
                          .where(AppUser.organization_id == org.id, AppUser.org_role == ADMIN))


def _member_of(org: Organization, member: AppUser | None) -> AppUser:
    if member is None or member.organization_id != org.id:
        raise NotFound(_("该成员不存在。"))
    return member


def change_role(session: Session, actor, org: Organization, member: AppUser | None, role: str) -> AppUser:
    require_admin(actor, org)
    member = _member_of(org, member)
    if role not in ORG_ROLES:
        raise Invalid(_("请选择成员角色。"), "role")
    if org_role(member) == ADMIN and role != ADMIN and _admin_count(session, org) <= 1:
        raise Conflict(_("组织至少需要一名管理员：请先把另一名成员设为管理员，再调整此人的角色。"))
    member.org_role = role
    _changed(session, member, "org_role", org_id=org.id, org_role=role)
    return member


def _changed(session: Session, member: AppUser, reason: str, **detail) -> None:
    """A change of organisation or of role inside it: logged, and the member's sessions end at once, so a
    browser signed in under the old rights cannot keep using them."""
    from ..security import sessions
    from ..security.events import record

    session.flush()
    record(session, "account.organization", subject=member, **detail)
    sessions.end_user_sessions(session, member, reason)


def remove(session: Session, actor, org: Organization, member: AppUser | None) -> AppUser:
    """The account stays (its history and sign-in remain) but no longer belongs to the organisation."""
    require_admin(actor, org)
    member = _member_of(org, member)
    if org_role(member) == ADMIN and _admin_count(session, org) <= 1:
        raise Conflict(_("不能移除组织唯一的管理员：请先把另一名成员设为管理员。"))
    member.organization_id = None
    member.org_role = None
    _changed(session, member, "org_removed", org_id=org.id, removed=True)
    return member
