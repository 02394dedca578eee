"""Writing outbox rows in the caller's transaction. Nothing here sends anything: the worker does, after
the change has committed."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session

from ..modelbase import utcnow
from .models import OutboxMessage

SEARCH = "search"


def emit(session: Session, topic: str, kind: str, payload: dict, key: str | None = None) -> OutboxMessage:
    message = OutboxMessage(topic=topic, kind=kind, payload=payload, idempotency_key=key)
    session.add(message)
    return message


def need_changed(session: Session, need_id: int) -> None:
    """The need's published fields or status changed: every node re-reads it into its search index."""
    emit(session, SEARCH, "need", {"need_id": need_id})


def region_changed(session: Session, prefix: str) -> None:
    """Household counts of a region changed (a registry import): whether its needs may name their
    township (k-anonymity) can change with them, so the region's needs are re-read."""
    emit(session, SEARCH, "region", {"prefix": prefix})


def prune_stream(session: Session, keep_days: int = 7) -> int:
    """Search events are read by every node and consumed by none; a week covers a node that was down."""
    cutoff = utcnow() - timedelta(days=keep_days)
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.topic == SEARCH,
                                                         OutboxMessage.created_at < cutoff))
    return result.rowcount
