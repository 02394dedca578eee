"""Shifts on service needs and who coordinates them. Services flush, never commit.

Times: a shift's date and clock times are local (China Standard Time, UTC+8, no daylight saving), as the
people doing the work read them; everything stored as a timestamp is UTC. `starts_at`/`ends_at` turn the
former into the latter."""

import secrets
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import found, in_scope, require_role
from ..claims.service import live_claim
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..needs.listing import public_places
from ..needs.models import Need
from ..vocabulary import SKILLS
from .models import Shift

LOCAL = timezone(timedelta(hours=8), "CST")
# Needs whose service can still be scheduled and carried out.
SCHEDULABLE = ("open", "claimed", "in_progress")
MAX_CAPACITY = 200


def starts_at(shift: Shift) -> datetime:
    return datetime.combine(shift.date, shift.start_time, LOCAL).astimezone(UTC)


def ends_at(shift: Shift) -> datetime:
    end = datetime.combine(shift.date, shift.end_time, LOCAL).astimezone(UTC)
    return end if end > starts_at(shift) else end + timedelta(days=1)  # a night shift ends the next day


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive; they were written as UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def skill_codes(text: str) -> list[str]:
    return [code for code in (text or "").split() if code]


def is_coordinator(session: Session, actor, need: Need, shift: Shift | None = None) -> bool:
    """Staff of the need's region, or a member of the organisation holding the need's live claim; once no
    claim is live (the need verified), the organisation that coordinated the shift, so it can still
    review the hours its volunteers served."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.role == "staff":
        return in_scope(actor, need.region_code)
    if actor.role != "charity" or not actor.organization_id:
        return False
    claim = live_claim(session, need)
    if claim is not None:
        # Whoever holds the need now coordinates, even shifts an earlier (released) claimant created.
        return claim.organization_id == actor.organization_id
    return shift is not None and shift.organization_id == actor.organization_id


def require_coordinator(session: Session, actor, need: Need, shift: Shift | None = None) -> None:
    if not is_coordinator(session, actor, need, shift):
        raise Forbidden(_("只有该需求所在地区的工作人员或认领该需求的组织成员可以管理班次。"))


def get_shift(session: Session, shift_id: int) -> tuple[Shift, Need]:
    shift = found(session.get(Shift, shift_id), N_("班次"))
    return shift, session.get(Need, shift.need_id)


def create_shift(session: Session, actor, need: Need, *, on: date, start: time, end: time, capacity: int,
                 required_skills: list[str] | None = None, now: datetime | None = None) -> Shift:
    require_role(actor, "staff", "charity")
    require_coordinator(session, actor, need)
    if need.form != "service":
        raise Conflict(_("只有服务类需求可以安排班次。"))
    if need.status not in SCHEDULABLE:
        raise Conflict(_("该需求当前状态不能安排班次。"))
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid(_("名额须为1至%(max)s人。", max=MAX_CAPACITY), "capacity")
    if start == end:
        raise Invalid(_("结束时间须晚于开始时间。"), "end_time")
    skills = list(dict.fromkeys(required_skills or []))
    unknown = [s for s in skills if s not in SKILLS]
    if unknown:
        raise Invalid(_("技能「%(codes)s」不存在，请从列表中选择。", codes=_("、").join(unknown)), "required_skills")
    claim = live_claim(session, need)
    shift = Shift(need_id=need.id, date=on, start_time=start, end_time=end, capacity=capacity,
                  required_skills=" ".join(s for s in SKILLS if s in skills),
                  # The projection's place as of today, never finer; pages and mail show the live
                  # projection instead. Volunteers learn the exact address by the logged reveal.
                  place=public_places(session, [need])[need.id],
                  signup_code=f"{secrets.randbelow(10**6):06d}", created_by_id=actor.id,
                  organization_id=claim.organization_id if claim else None)
    if starts_at(shift) <= (now or utcnow()):
        raise Invalid(_("班次开始时间须晚于当前时间。"), "date")
    session.add(shift)
    session.flush()
    return shift


def cancel_shift(session: Session, actor, shift: Shift) -> Shift:
    """Cancelling keeps the sign-ups (the record of who had come forward); no address is revealed and no
    one can sign up any more."""
    need = session.get(Need, shift.need_id)
    require_coordinator(session, actor, need, shift)
    if shift.status != "active":
        raise Conflict(_("该班次已取消。"))
    shift.status = "cancelled"
    session.flush()
    return shift


def shifts_of(session: Session, need: Need) -> list[Shift]:
    return list(session.scalars(select(Shift).where(Shift.need_id == need.id)
                                .order_by(Shift.date, Shift.start_time, Shift.id)))
