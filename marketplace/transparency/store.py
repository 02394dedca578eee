"""The stored public figures (public_figures): one row per scope and category filter, replaced whole by each
refresh. Pages, CSVs and /api/v1/stats read one row; the worker recomputes every PUBLIC_FIGURES_MINUTES."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..db import engine_of, reading_session, transaction
from ..modelbase import utcnow
from . import figures
from .models import PublicFigures

log = logging.getLogger(__name__)

_PG_LOCK = 0x5348_4753  # "SHGS" (公示): one refreshing worker at a time on PostgreSQL (snapshots use SHRQ)


def read(session: Session, scope_code: str, category: str) -> PublicFigures | None:
    return session.scalars(select(PublicFigures).where(PublicFigures.scope_code == scope_code,
                                                       PublicFigures.category == category)).first()


def scopes(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every stored scope, the whole platform ("") first, then by code."""
    name = PublicFigures.payload["scope_name"].as_string()
    query = (select(PublicFigures.scope_code, name).where(PublicFigures.category == "")
             .order_by(PublicFigures.scope_code))
    return [(code, shown or "") for code, shown in session.execute(query)]


def refresh_all(session: Session, now: datetime | None = None) -> list[tuple[str, str, float]]:
    """Compute every scope × category and store it, replacing what was there; rows of scopes that no
    longer exist are deleted. Returns (scope, category, seconds). The figures are read through a separate
    read-only session, so on SQLite the write lock is held for the writes at the end only; call it in a
    transaction of its own. On PostgreSQL a second refresh running at the same time returns [] at once."""
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(_PG_LOCK))):
        return []
    with reading_session(session.get_bind()) as reader:
        computed = figures.compute_all(reader, now)
    _store(session, computed, now)
    return [(c.scope, c.category, c.seconds) for c in computed]


def _store(session: Session, computed: list[figures.Computed], now: datetime) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = [{"scope_code": c.scope, "category": c.category, "computed_at": now, "seconds": c.seconds,
               "payload": c.payload} for c in computed]
    for start in range(0, len(values), 50):
        statement = dialect.insert(PublicFigures).values(values[start:start + 50])
        session.execute(statement.on_conflict_do_update(
            index_elements=["scope_code", "category"],
            set_={name: statement.excluded[name] for name in ("computed_at", "seconds", "payload")}))
    kept = {(c.scope, c.category) for c in computed}
    stored = session.execute(select(PublicFigures.id, PublicFigures.scope_code, PublicFigures.category))
    stale = [row_id for row_id, scope, category in stored if (scope, category) not in kept]
    if stale:
        session.execute(delete(PublicFigures).where(PublicFigures.id.in_(stale)))
    session.flush()


def newest(session: Session) -> datetime | None:
    return session.scalar(select(func.max(PublicFigures.computed_at)))


def refresh_for_worker(app) -> list[tuple[str, str, float]]:
    """The worker's call: every PUBLIC_FIGURES_MINUTES (0 or less: never), in a transaction of its own,
    never fatal to the worker (the page shows the last figures and when they were computed)."""
    minutes = app.config["PUBLIC_FIGURES_MINUTES"]
    if minutes <= 0:
        return []
    try:
        engine = engine_of(app)
        # Asked in a read-only session: on SQLite the writing transaction would take the write lock at its
        # first statement and hold it through the seconds of counting.
        with reading_session(engine) as reader:
            last = newest(reader)
        if last is not None and _aware(last) > utcnow() - timedelta(minutes=minutes):
            return []
        with transaction(engine) as session:
            return refresh_all(session)
    except Exception:
        log.exception("public figures were not refreshed")
        return []


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
