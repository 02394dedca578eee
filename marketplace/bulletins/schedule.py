"""The worker's part: from the 1st of a month, last month's bulletin of every county and prefecture with
households is generated if it is missing (or was generated before the month ended), so a worker that was
down on the 1st catches up; then each bulletin not yet mailed is announced to the staff of its division who
keep the bulletin mail on (a county's bulletin to its county and township staff, a prefecture's to its
prefecture staff), one mail per (bulletin, person) under an idempotency key.

Figures are counted through a read-only session and written in a short transaction of their own per
division, so on SQLite the write lock is held for the upsert and the mail only, not for a city's seconds of
counting. Never fatal: a failure is logged and retried next round, and mail and search updates go on."""

import logging
import time
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlmodel import Session

from ..auth.access import scope_prefix
from ..auth.models import AppUser
from ..db import engine_of, reading_session, transaction
from ..modelbase import utcnow
from ..notify import messages
from ..notify.subscriptions import NotificationSubscription
from ..reports.filters import code_range
from . import generate
from .models import MonthlyBulletin
from .period import Month, aware, last_month, local_today

log = logging.getLogger(__name__)

KIND = "bulletin.ready"
BUDGET_SECONDS = 300.0  # the rest of the divisions next round: the worker has mail to deliver too


def path_of(region_code: str, month: Month) -> str:
    return f"/staff/bulletins/{region_code}/{month.key}"


def recipients(session: Session, region_code: str) -> list[AppUser]:
    """Active staff whose scope is the division: for a county its own staff and those of its townships and
    villages, for a prefecture its own staff; without the bulletin mail turned off."""
    if len(scope_prefix(region_code)) == 4:  # a prefecture: its own staff, not its counties'
        where = AppUser.region_code == region_code
    else:
        where = code_range(AppUser.region_code, region_code)
    query = (select(AppUser)
             .outerjoin(NotificationSubscription, NotificationSubscription.user_id == AppUser.id)
             .where(AppUser.role == "staff", AppUser.is_active.is_(True), where,
                    or_(NotificationSubscription.id.is_(None), NotificationSubscription.bulletin_enabled.is_(True)))
             .order_by(AppUser.id))
    return list(session.scalars(query))


def context(bulletin: MonthlyBulletin) -> dict:
    """What the mail says: the division, the month and four headline counts (aggregates, no person)."""
    month, figures = Month.of(bulletin.month), bulletin.payload.get("headline", {})
    return {"bulletin": {"region": bulletin.payload.get("region_name", bulletin.region_code),
                         "year": month.first.year, "month": month.first.month, "key": month.key,
                         **{name: figures.get(name, 0) for name in ("posted", "fulfilled", "blind_spots", "unclaimed")}},
            "path": path_of(bulletin.region_code, month)}


def announce(session: Session, bulletin: MonthlyBulletin) -> int:
    """Queue the mail of a bulletin not yet mailed and mark it mailed; the number of mails queued."""
    if bulletin.mailed_at is not None:
        return 0
    sent = messages.send_each(session, KIND, recipients(session, bulletin.region_code), context(bulletin),
                              f"{KIND}:{bulletin.id}")
    bulletin.mailed_at = utcnow()
    session.flush()
    return sent


def due(session: Session, month: Month) -> tuple[list[str], list[str]]:
    """(divisions whose bulletin for `month` must be generated, divisions whose bulletin waits to be mailed)."""
    have = {b.region_code: b for b in session.scalars(select(MonthlyBulletin)
                                                      .where(MonthlyBulletin.month == month.first))}
    wanted = generate.regions_with_households(session)
    missing = [code for code in wanted if code not in have or aware(have[code].generated_at) < month.end]
    unmailed = [code for code in wanted if code in have and have[code].mailed_at is None and code not in missing]
    return missing, unmailed


def run(app, today: date | None = None, *, now: datetime | None = None,
        budget: float = BUDGET_SECONDS) -> list[tuple[str, float, int]]:
    """One round (see the module's docstring); (division, seconds spent counting, mails queued) of each
    division acted on. Raises on failure; `run_due` is the worker's never-fatal call."""
    month = last_month(today or local_today(now))
    engine = engine_of(app)
    with reading_session(engine) as reader:
        missing, unmailed = due(reader, month)
    done, started = [], time.perf_counter()
    with app.app_context():  # mail links and signatures need the app's BASE_URL and SECRET_KEY
        for code in missing + unmailed:
            if done and time.perf_counter() - started > budget:
                break
            try:
                payload = None
                if code in missing:
                    with reading_session(engine) as reader:
                        payload = generate.compute(reader, code, month, now)
                with transaction(engine) as session:
                    bulletin = (generate.store(session, code, month, payload) if payload is not None
                                else generate.stored(session, code, month))
                    sent = announce(session, bulletin)
                done.append((code, payload["seconds"] if payload else 0.0, sent))
            except Exception:
                log.exception("bulletin of %s for %s was not generated or mailed", code, month.key)
    return done


def run_due(app, today: date | None = None) -> list[tuple[str, float, int]]:
    """The worker's call (marketplace/worker.py): never fatal."""
    try:
        return run(app, today)
    except Exception:
        log.exception("monthly bulletins were not checked")
        return []
