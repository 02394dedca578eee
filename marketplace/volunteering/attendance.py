"""Check-in, check-out and the hours they earn. A volunteer checks in with the shift's six-digit code
(read out by the coordinator on site); a coordinator may check anyone on the shift in or out. Hours go to
the coordinating organisation or the region's staff for approval. Services flush, never commit."""

import hmac
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import found
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..needs.models import Need
from ..privacy.pii_scan import scan_for_household
from .models import HoursEntry, Shift, ShiftSignup
from .shifts import aware, ends_at, is_coordinator, require_coordinator, starts_at

# Check-in opens a little before the start, so people arriving early are not turned away.
EARLY_CHECK_IN = timedelta(hours=1)
AUTO_CHECKOUT_AFTER = timedelta(hours=24)
AUTO_CHECKOUT_NOTE = N_("自动签退")


def _authorise(session: Session, actor, signup: ShiftSignup, code: str | None) -> tuple[Shift, Need]:
    shift = session.get(Shift, signup.shift_id)
    need = session.get(Need, shift.need_id)
    if is_coordinator(session, actor, need, shift):
        return shift, need
    if getattr(actor, "id", None) != signup.user_id:
        raise Forbidden(_("只有本人（凭签到码）或班次协调人可以为该报名签到签退。"))
    if not hmac.compare_digest((code or "").strip().encode(), shift.signup_code.encode()):
        raise Invalid(_("签到码不正确，请向现场协调人确认。"), "code")
    return shift, need


def check_in(session: Session, actor, signup: ShiftSignup, code: str | None = None,
             now: datetime | None = None) -> ShiftSignup:
    shift, _need = _authorise(session, actor, signup, code)
    now = now or utcnow()
    if signup.status != "booked" or shift.status != "active":
        raise Conflict(_("只有已报名（非候补）且班次有效的志愿者可以签到。"))
    if signup.checked_in_at is not None:
        raise Conflict(_("已经签到过了。"))
    if not starts_at(shift) - EARLY_CHECK_IN <= now <= ends_at(shift):
        raise Conflict(_("不在签到时间内：班次开始前1小时至班次结束之间可以签到。"))
    signup.checked_in_at = now
    session.flush()
    return signup


def check_out(session: Session, actor, signup: ShiftSignup, code: str | None = None,
              now: datetime | None = None) -> HoursEntry:
    _authorise(session, actor, signup, code)
    if signup.checked_in_at is None or signup.checked_out_at is not None:
        raise Conflict(_("尚未签到，或已经签退。"))
    now = now or utcnow()
    started = aware(signup.checked_in_at)
    if now < started:
        raise Invalid(_("签退时间不能早于签到时间。"), "time")
    signup.checked_out_at = now
    return _record_hours(session, signup, int((now - started).total_seconds() // 60))


def _record_hours(session: Session, signup: ShiftSignup, minutes: int, auto: bool = False) -> HoursEntry:
    entry = HoursEntry(signup_id=signup.id, user_id=signup.user_id, shift_id=signup.shift_id,
                       minutes=max(minutes, 0), auto_checkout=auto)
    session.add(entry)
    session.flush()
    return entry


def auto_checkout(session: Session, now: datetime | None = None) -> int:
    """Volunteers still checked in 24 hours after checking in forgot to check out. They are checked out
    at the moment the worker notices, but the hours recorded are the shift's planned length (never more
    than the time actually elapsed): a forgotten check-out must not earn a day of hours. The entry is
    flagged 自动签退 and stays pending for the reviewer to confirm or correct by declining."""
    now = now or utcnow()
    stale = session.scalars(select(ShiftSignup).where(ShiftSignup.checked_in_at.is_not(None),
                                                      ShiftSignup.checked_out_at.is_(None),
                                                      ShiftSignup.checked_in_at <= now - AUTO_CHECKOUT_AFTER))
    count = 0
    for signup in stale.all():
        shift = session.get(Shift, signup.shift_id)
        planned = ends_at(shift) - starts_at(shift)
        elapsed = now - aware(signup.checked_in_at)
        signup.checked_out_at = now
        _record_hours(session, signup, int(min(planned, elapsed).total_seconds() // 60), auto=True)
        count += 1
    session.flush()
    return count


def get_entry(session: Session, entry_id: int) -> HoursEntry:
    return found(session.get(HoursEntry, entry_id), N_("时长记录"))


def decide(session: Session, actor, entry: HoursEntry, approve: bool, reason: str = "",
           now: datetime | None = None) -> HoursEntry:
    """Approve or decline pending hours. A decline needs a reason and is kept, never deleted; nobody
    decides on their own hours."""
    shift = session.get(Shift, entry.shift_id)
    require_coordinator(session, actor, session.get(Need, shift.need_id), shift)
    if entry.user_id == actor.id:
        raise Forbidden(_("不能审核自己的服务时长。"))
    if entry.status != "pending":
        raise Conflict(_("该时长记录已审核。"))
    reason = (reason or "").strip()
    if not approve and len(reason) < 2:
        raise Invalid(_("不予认定须填写原因（2至500字）。"), "reason")
    if not approve:
        scan_for_household(session, session.get(Need, shift.need_id).household_id, {"reason": reason},
                           labels={"reason": _("不予认定原因")})
    entry.status = "approved" if approve else "declined"
    entry.decline_reason = None if approve else reason[:500]
    entry.decided_by_id, entry.decided_at = actor.id, now or utcnow()
    session.flush()
    return entry


def pending_for(session: Session, shift: Shift) -> list[HoursEntry]:
    return list(session.scalars(select(HoursEntry).where(HoursEntry.shift_id == shift.id)
                                .order_by(HoursEntry.id)))
