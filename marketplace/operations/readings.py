"""Readings of the platform's state an operator watches, shared by /readyz and /metrics: this node's search
index lag, the outbox backlog, failed mail.

Each is one query on an index (the primary key, or ix_outbox_due on topic, status, next attempt), and a
count stops at COUNT_CAP rows, so a probe or a scrape costs the same with a million outbox rows as with
ten (tests/operations/test_metrics.py checks the plans on PostgreSQL)."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from ..modelbase import utcnow
from ..notify.outbox_mail import MAIL
from ..outbox.models import OutboxMessage
from ..outbox.service import SEARCH
from ..search import index

# A backlog this long is an alert whatever its exact size; counting further would cost a scan.
COUNT_CAP = 100_000
MAIL_WAITING = ("pending", "sending")  # not yet delivered: queued, retrying, or taken by a worker


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns an aggregate's stored UTC time without its zone."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def search_cursor(index_dir: str | Path) -> int:
    """The last search event this node's index has applied (0 without an index)."""
    return index.read_cursor(Path(index_dir))


def search_lag_seconds(session: Session, index_dir: str | Path) -> int:
    """How long the oldest search event this node's index has not applied has waited (0: none waits).
    Only the worker applies them, so a growing lag means this node's worker is not running."""
    # The first unapplied event in id order, through the primary key from the cursor on: min(created_at)
    # over the same rows would read every event after the cursor (all of them without an index).
    oldest = session.scalar(select(OutboxMessage.created_at).where(*_search_after(search_cursor(index_dir)))
                            .order_by(OutboxMessage.id).limit(1))
    return 0 if oldest is None else max(0, int((utcnow() - aware(oldest)).total_seconds()))


def _search_after(cursor: int) -> tuple:
    """Search events past `cursor`, read through the primary key. The topic is compared as `topic || ''`
    so that no planner walks ix_outbox_due instead: SQLite (without ANALYZE statistics) prefers the
    equality on topic and reads every search event of the week, 0.4 s for 900,000."""
    return OutboxMessage.id > cursor, OutboxMessage.topic.concat("") == SEARCH


def _capped_count(session: Session, *conditions) -> int:
    rows = select(OutboxMessage.id).where(*conditions).limit(COUNT_CAP).subquery()
    return session.scalar(select(func.count()).select_from(rows)) or 0


def backlog(session: Session, index_dir: str | Path) -> dict[str, int]:
    """Outbox rows not yet done, per topic. Mail: rows waiting for delivery (queued, retrying, being
    sent). Search events are never consumed (every node reads the stream): the events this node's index
    has not applied yet."""
    return {
        MAIL: _capped_count(session, OutboxMessage.topic == MAIL, OutboxMessage.status.in_(MAIL_WAITING)),
        SEARCH: _capped_count(session, *_search_after(search_cursor(index_dir))),
    }


def mail_failed(session: Session) -> int:
    """Mail the worker gave up on after MAIL_MAX_ATTEMPTS (staff may retry it from 邮件队列)."""
    return _capped_count(session, OutboxMessage.topic == MAIL, OutboxMessage.status == "failed")
