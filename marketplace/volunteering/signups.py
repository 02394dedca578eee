"""Signing up to shifts. The place itself is taken by one conditional UPDATE (booked < capacity), the
same statement on SQLite and PostgreSQL, so no interleaving of requests can overbook a shift; a full
shift offers its waitlist, which cancellation promotes in the same transaction."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..auth.access import found, require_role
from ..errors import Conflict, Forbidden
from ..i18n import N_, _, day
from ..modelbase import utcnow
from ..needs.models import Need
from ..notify import emitters as notify
from ..vocabulary import SKILLS, label
from .models import Shift, ShiftSignup, VolunteerProfile
from .shifts import SCHEDULABLE, skill_codes, starts_at

CANCEL_NOTICE = timedelta(hours=12)
LIVE = ("booked", "waitlisted")


def _take_place(session: Session, shift_id: int) -> bool:
    result = session.execute(update(Shift).where(Shift.id == shift_id, Shift.booked < Shift.capacity,
                                                 Shift.status == "active")
                             .values(booked=Shift.booked + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _give_back_place(session: Session, shift_id: int) -> None:
    session.execute(update(Shift).where(Shift.id == shift_id, Shift.booked > 0)
                    .values(booked=Shift.booked - 1).execution_options(synchronize_session=False))


def missing_skills(session: Session, user_id: int, shift: Shift) -> list[str]:
    profile = session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id)).first()
    have = set(skill_codes(profile.skills)) if profile else set()
    return [label(SKILLS, code) for code in skill_codes(shift.required_skills) if code not in have]


def sign_up(session: Session, actor, shift: Shift, *, waitlist: bool = False,
            now: datetime | None = None) -> ShiftSignup:
    """A place on the shift, or (when it is full and `waitlist` is asked for) a place in its waitlist."""
    require_role(actor, "volunteer")
    need = session.get(Need, shift.need_id)
    if shift.status != "active" or need.status not in SCHEDULABLE:
        raise Conflict(_("该班次已取消或需求已结束，不能报名。"))
    if starts_at(shift) <= (now or utcnow()):
        raise Conflict(_("该班次已经开始，不能报名。"))
    missing = missing_skills(session, actor.id, shift)
    if missing:
        raise Forbidden(_("该班次需要「%(skills)s」技能，您的志愿者资料中没有。可在资料中补充后再报名。",
                          skills=_("、").join(missing)))
    signup = session.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == shift.id,
                                                       ShiftSignup.user_id == actor.id)).first()
    if signup is not None and signup.status in LIVE:
        raise Conflict(_("您已报名该班次（或已在候补名单中），不能重复报名。"))
    # Decide before writing anything, so a refusal the caller catches leaves no trace.
    took = _take_place(session, shift.id)
    if not took and not waitlist:
        raise Conflict(_("该班次名额已满。您可以加入候补名单，有人取消时按顺序递补。"))
    status, when = ("booked" if took else "waitlisted"), now or utcnow()
    if signup is None:
        # In a savepoint: a concurrent double submit by the same volunteer fails on the unique
        # constraint, and the place it took is given back.
        signup = ShiftSignup(shift_id=shift.id, user_id=actor.id, status=status, created_at=when)
        try:
            with session.begin_nested():
                session.add(signup)
        except IntegrityError:
            if took:
                _give_back_place(session, shift.id)
            raise Conflict(_("您已报名该班次，不能重复报名。")) from None
    else:
        signup.status, signup.created_at, signup.cancelled_at = status, when, None
        signup.checked_in_at = signup.checked_out_at = None
    session.flush()
    session.refresh(shift)
    return signup


def own_signup(session: Session, actor, signup_id: int) -> ShiftSignup:
    signup = found(session.get(ShiftSignup, signup_id), N_("报名"))
    if signup.user_id != getattr(actor, "id", None):
        raise Forbidden(_("这不是您的报名。"))
    return signup


def cancel(session: Session, actor, signup: ShiftSignup, now: datetime | None = None) -> ShiftSignup | None:
    """The volunteer withdraws; a booked place may be given up until 12 hours before the start, and goes
    at once to the first on the waitlist. Returns the promoted sign-up, if any."""
    require_role(actor, "volunteer")
    if signup.user_id != actor.id:
        raise Forbidden(_("这不是您的报名。"))
    if signup.status not in LIVE:
        raise Conflict(_("该报名已取消。"))
    shift = session.get(Shift, signup.shift_id)
    now = now or utcnow()
    start = starts_at(shift)
    if signup.status == "booked" and start - now < CANCEL_NOTICE:
        when = f"{day(shift.date)} {shift.start_time.strftime('%H:%M')}"
        raise Conflict(_("班次将于 %(when)s 开始，开始前12小时内不能在线取消。如确有急事，请直接联系班次协调人。",
                         when=when))
    was_booked = signup.status == "booked"
    signup.status, signup.cancelled_at = "cancelled", now
    session.flush()
    promoted = None
    if was_booked:
        _give_back_place(session, shift.id)
        promoted = promote_next(session, shift)
    session.refresh(shift)
    return promoted


def promote_next(session: Session, shift: Shift) -> ShiftSignup | None:
    """The first waitlisted volunteer takes a free place. Rows are locked and skipped on PostgreSQL so two
    cancellations at once promote two different people; SQLite serialises writers anyway."""
    query = (select(ShiftSignup).where(ShiftSignup.shift_id == shift.id, ShiftSignup.status == "waitlisted")
             .order_by(ShiftSignup.created_at, ShiftSignup.id).limit(1).with_for_update(skip_locked=True))
    candidate = session.scalars(query).first()
    if candidate is None or not _take_place(session, shift.id):
        return None
    candidate.status = "booked"
    session.flush()
    notify.shift_promoted(session, candidate, shift)
    return candidate


def waitlist_position(session: Session, signup: ShiftSignup) -> int | None:
    if signup.status != "waitlisted":
        return None
    # Queue order is the time of (re)joining: a volunteer who cancelled and came back queues anew.
    earlier = (ShiftSignup.created_at < signup.created_at) | (
        (ShiftSignup.created_at == signup.created_at) & (ShiftSignup.id < signup.id))
    ahead = session.scalar(select(func.count()).select_from(ShiftSignup).where(
        ShiftSignup.shift_id == signup.shift_id, ShiftSignup.status == "waitlisted", earlier))
    return ahead + 1


def roster(session: Session, shift: Shift) -> list[ShiftSignup]:
    return list(session.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == shift.id,
                                                          ShiftSignup.status.in_(LIVE))
                                .order_by(ShiftSignup.status, ShiftSignup.id)))
