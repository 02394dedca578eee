"""Mail that time, not a person, triggers: run by housekeeping (worker.run_housekeeping) in its transaction.
Every message is keyed so the worker's next round (a minute later) finds it queued and adds nothing."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..modelbase import utcnow
from ..needs.listing import public_needs
from ..needs.models import Need
from ..volunteering.models import Shift, ShiftSignup
from ..volunteering.shifts import LOCAL, starts_at
from . import digest_shifts, emitters, subscriptions
from .messages import send
from .tokens import absolute

AHEAD = timedelta(hours=24)


def claims_expiring(session: Session, now: datetime | None = None) -> int:
    """Claimants whose start deadline falls within the next 24 hours."""
    now = now or utcnow()
    rows = session.execute(select(Claim, Need).join(Need, Need.id == Claim.need_id)
                           .where(Claim.status == "active", Claim.expires_at > now,
                                  Claim.expires_at <= now + AHEAD)).all()
    for claim, need in rows:
        emitters.claim_expiring(session, claim, need)
    return len(rows)


def shift_reminders(session: Session, now: datetime | None = None) -> int:
    """Booked volunteers of shifts starting within 24 hours, unless they turned reminders off."""
    now = now or utcnow()
    today = now.astimezone(LOCAL).date()
    shifts = session.scalars(select(Shift).where(Shift.status == "active", Shift.date >= today,
                                                 Shift.date <= today + timedelta(days=1)))
    queued = 0
    for shift in shifts:
        if not now < starts_at(shift) <= now + AHEAD:
            continue
        context = emitters.shift_context(session, shift)
        for signup in session.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == shift.id,
                                                                ShiftSignup.status == "booked")):
            volunteer = session.get(AppUser, signup.user_id)
            if volunteer is None or not subscriptions.reminders_wanted(session, volunteer.id):
                continue
            queued += send(session, "shift.reminder", volunteer, context, f"shift.reminder:{signup.id}") is not None
    return queued


def daily_digest(session: Session, now: datetime | None = None) -> int:
    """Each subscriber gets the needs published in the last 24 hours that match their categories and
    places, at most once per (local) day: the key carries the date."""
    now = now or utcnow()
    day = now.astimezone(LOCAL).date()
    subscribers = subscriptions.digest_subscribers(session)
    if not subscribers:
        return 0
    since = now - AHEAD
    new = session.execute(select(Need.id, Need.category, Need.region_code)
                          .where(Need.status == "open", Need.published_at > since)
                          .order_by(Need.published_at, Need.id)).all()
    # Volunteers also hear of shifts added in the last day that still have places (volunteering/finder.py).
    shifts = digest_shifts.new_open_shifts(session, since, now)
    if not new and not shifts:
        return 0
    public = {p.id: p for p in public_needs(session, [row.id for row in new])}
    queued = 0
    for row in subscribers:
        chosen = [public[n.id] for n in new if n.id in public and subscriptions.matches(row, n.category, n.region_code)]
        user = session.get(AppUser, row.user_id)
        if user is None:
            continue
        offered = digest_shifts.matching(row, user, shifts)
        if not chosen and not offered:
            continue
        context = {"date": day.isoformat(), "path": "/needs", "settings_url": absolute("/profile/notifications"),
                   "needs": [{"id": p.id, "title": p.title, "category": p.category, "area": p.area,
                              "deadline": p.deadline.isoformat(), "url": absolute(f"/needs/{p.id}")}
                             for p in chosen[:50]],
                   "more": max(0, len(chosen) - 50), "shifts": offered[:20], "more_shifts": max(0, len(offered) - 20),
                   "shifts_url": absolute("/shifts")}
        queued += send(session, "digest.daily", user, context, digest_key(user.id, day)) is not None
    return queued


def digest_key(user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def run(session: Session, now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    return {"claims_expiring": claims_expiring(session, now), "shift_reminders": shift_reminders(session, now),
            "digests": daily_digest(session, now)}
