"""The household's exact address for the volunteers who are going there, and only then.

Rule: a volunteer with a booked (not waitlisted, not cancelled) place on an ACTIVE shift of a service
need that is still being carried out may see the address from 24 hours before the shift starts until the
shift ends: long enough to plan the journey the day before, and no longer than the visit needs. Every
view is an explicit POST that writes an access-log row, which survives the request failing. Nobody else
sees the address on the volunteering pages; staff use their own household pages."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from ..db import keep_even_on_rollback
from ..errors import Forbidden
from ..i18n import N_, _
from ..modelbase import utcnow
from ..needs.models import Need
from ..registry.models import AccessLog, Household
from .models import Shift, ShiftSignup
from .shifts import SCHEDULABLE, ends_at, starts_at

WINDOW_BEFORE = timedelta(hours=24)
PURPOSE = N_("参加志愿服务班次，上门服务")  # stored in the access log in Chinese; shown translated


def refusal(session: Session, actor, shift: Shift, now: datetime | None = None) -> str | None:
    """Why `actor` may not see the address for `shift` now, or None when they may."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != "volunteer" \
            or not actor.is_active:
        return _("服务地址只向已报名该班次的志愿者在服务前后开放。")
    signup = session.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == shift.id,
                                                       ShiftSignup.user_id == actor.id)).first()
    if signup is None or signup.status != "booked":
        return _("服务地址只向已报名（非候补）该班次的志愿者开放。")
    need = session.get(Need, shift.need_id)
    if shift.status != "active" or need.form != "service" or need.status not in SCHEDULABLE:
        return _("该班次已取消或需求已结束，服务地址不再开放。")
    now = now or utcnow()
    if now < starts_at(shift) - WINDOW_BEFORE:
        return _("服务地址将在班次开始前24小时开放查看。")
    if now > ends_at(shift):
        return _("班次已结束，服务地址不再开放。")
    return None


def reveal(session: Session, actor, shift: Shift, vault, path: str = "", now: datetime | None = None) -> str:
    reason = refusal(session, actor, shift, now)
    if reason:
        raise Forbidden(reason)
    need = session.get(Need, shift.need_id)
    household = session.get(Household, need.household_id)
    keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=household.id, action="view_address",
                                             purpose=PURPOSE, path=path[:255]))
    session.flush()
    return vault.decrypt(household.address_enc) or _("（该户未登记地址，请联系工作人员）")
