"""Account administration (账号管理) by staff holding the accounts duty: the accounts of their region,
new accounts, duties, scope, (de)activation.

The rules, for every path (the 账号管理 page, and anything a CLI or import may call later):
- an administrator acts only on accounts whose region (or organisation's region) lies in their subtree;
- a new or moved account's region lies in the administrator's subtree, never above it (a charity
  member's region is their organisation's, whatever the form said);
- nobody grants a duty they do not hold (revoking one is allowed: it only narrows);
- every change is a security-log row naming the account, and a change of duties, scope or activity ends
  the account's sessions at once, so a narrowed or deactivated account does not keep its old powers."""

from sqlalchemy import select
from sqlmodel import Session

from ..errors import Forbidden, Invalid
from ..i18n import _
from ..organizations.models import Organization
from ..regions.models import Region
from ..security import events
from ..security.sessions import end_user_sessions
from ..vocabulary import STAFF_DUTIES, label
from .access import in_scope, require_duty, scope_prefix
from .models import AppUser
from .service import create_user, normalise_duties


def user_region(session: Session, user: AppUser) -> str | None:
    if user.region_code:
        return user.region_code
    if user.organization_id:
        org = session.get(Organization, user.organization_id)
        return org.region_code if org else None
    return None


def administrable(session: Session, actor: AppUser, user: AppUser) -> bool:
    """Account administrators administer the accounts whose region lies in their subtree."""
    return actor.has_duty("accounts") and in_scope(actor, user_region(session, user))


def users_in_scope(session: Session, actor: AppUser) -> list[AppUser]:
    require_duty(actor, "accounts")
    prefix = scope_prefix(actor.region_code)
    org_ids = select(Organization.id).where(Organization.region_code.startswith(prefix))
    query = select(AppUser).where(AppUser.region_code.startswith(prefix) | AppUser.organization_id.in_(org_ids))
    return list(session.scalars(query.order_by(AppUser.role, AppUser.email)))


def grantable_duties(actor: AppUser) -> list[str]:
    """The duties `actor` may grant: those they hold themselves."""
    return [code for code in STAFF_DUTIES if actor.has_duty(code)]


def _refuse_ungranted(actor: AppUser, granted: set[str]) -> None:
    if missing := [code for code in STAFF_DUTIES if code in granted and not actor.has_duty(code)]:
        names = _("、").join(_("「%(duty)s」", duty=label(STAFF_DUTIES, code)) for code in missing)
        raise Forbidden(_("您本人没有%(names)s职责，不能授予他人。", names=names))


def _region_in_scope(session: Session, actor: AppUser, region_code: str | None) -> str:
    if not region_code or session.get(Region, region_code) is None:
        raise Invalid(_("行政区划代码 %(code)s 不存在。", code=region_code or ""), "region_code")
    if not in_scope(actor, region_code):
        raise Invalid(_("只能为您负责区域内的人员或组织创建、调整账号：%(code)s 高于或超出您本人的范围。",
                        code=region_code), "region_code")
    return region_code


def create_user_as(session: Session, actor: AppUser, *, role: str, region_code: str | None = None,
                   organization_id: int | None = None, duties=(), **fields) -> AppUser:
    """create_user on behalf of an account administrator. The stored region is the one checked: the
    organisation's for a charity member, else the requested one, which must lie inside the actor's scope
    (finding 1 of issue 11: the organisation's region was checked and the form's stored)."""
    require_duty(actor, "accounts")
    codes = set(filter(None, normalise_duties(duties).split(",")))
    if role == "charity":
        org = session.get(Organization, organization_id) if organization_id else None
        if org is None:
            raise Invalid(_("慈善组织成员须属于一个已登记的组织。"), "organization_id")
        if not in_scope(actor, org.region_code):
            raise Invalid(_("只能为您负责区域内的人员或组织创建账号：该组织不在您负责的行政区划内。"), "organization_id")
        region_code = org.region_code
    else:
        if role == "staff" and organization_id:
            raise Invalid(_("民政工作人员账号不属于任何组织，请不要填写组织编号。"), "organization_id")
        if organization_id:
            org = session.get(Organization, organization_id)
            if org is None or not in_scope(actor, org.region_code):
                raise Invalid(_("只能为您负责区域内的人员或组织创建账号：该组织不在您负责的行政区划内。"),
                              "organization_id")
        region_code = _region_in_scope(session, actor, region_code)
    _refuse_ungranted(actor, codes)
    user = create_user(session, role=role, region_code=region_code, organization_id=organization_id,
                       duties=codes, **fields)
    events.record(session, "account.create", actor=actor, subject=user, role=role, region=region_code,
                  organization=organization_id, duties=user.duties)
    return user


def check_staff_account(session: Session, actor: AppUser, user: AppUser) -> None:
    require_duty(actor, "accounts")
    if not administrable(session, actor, user):
        raise Forbidden(_("该账号不在您负责的行政区划内。"))
    if user.role != "staff":
        raise Invalid(_("只有民政工作人员账号有职责和负责区划。"), "duties")
    if user.id == actor.id:
        raise Forbidden(_("不能修改自己的职责或负责区划，请由另一名账号管理员办理。"))


def set_duties(session: Session, actor: AppUser, user: AppUser, duties) -> AppUser:
    """Replace `user`'s duties. Adding a duty the actor does not hold is refused; removing any is allowed."""
    check_staff_account(session, actor, user)
    new = set(filter(None, normalise_duties(duties).split(",")))
    old = set(user.duty_set)
    if new == old:
        return user
    _refuse_ungranted(actor, new - old)
    user.duties = normalise_duties(new)
    session.flush()
    events.record(session, "account.duties", actor=actor, subject=user,
                  added=sorted(new - old), removed=sorted(old - new))
    end_user_sessions(session, user, "account.duties")
    return user


def set_region(session: Session, actor: AppUser, user: AppUser, region_code: str) -> AppUser:
    """Move a staff account's scope to another region inside the actor's own."""
    check_staff_account(session, actor, user)
    region_code = _region_in_scope(session, actor, (region_code or "").strip())
    if region_code == user.region_code:
        return user
    previous = user.region_code
    user.region_code = region_code
    session.flush()
    events.record(session, "account.scope", actor=actor, subject=user, region_code=region_code,
                  previous=previous, region=region_code)
    end_user_sessions(session, user, "account.scope")
    return user


def set_active(session: Session, actor: AppUser, user: AppUser, active: bool) -> AppUser:
    require_duty(actor, "accounts")
    if not administrable(session, actor, user):
        raise Forbidden(_("该账号不在您负责的行政区划内。"))
    if user.id == actor.id and not active:
        raise Forbidden(_("不能停用自己的账号。"))
    if user.is_active == active:
        return user
    user.is_active = active
    session.flush()
    events.record(session, "account.activate" if active else "account.deactivate", actor=actor, subject=user)
    if not active:
        end_user_sessions(session, user, "account.deactivate")
    return user
