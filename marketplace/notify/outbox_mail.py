"""Queueing mail: one outbox row written in the caller's transaction. Nothing is sent here; the worker
delivers the row after the change has committed (marketplace.notify.delivery), so a rollback sends nothing."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..outbox.models import OutboxMessage

MAIL = "mail"


def queue(session: Session, *, to: str, subject: str, text: str, html: str | None, key: str, kind: str,
          headers: dict[str, str] | None = None, staff: bool = False) -> OutboxMessage | None:
    """Queue one message under a stable idempotency key. Returns None, writing nothing, if a message with
    that key already exists: re-running the change that queues it (a retried request, a repeated digest
    run) must not mail twice."""
    if _exists(session, key):
        return None
    message = OutboxMessage(topic=MAIL, kind=kind, idempotency_key=key,
                            payload={"to": to, "subject": subject, "text": text, "html": html,
                                     "headers": dict(headers or {}), "staff": staff})
    if session.get_bind().dialect.name != "postgresql":
        # SQLite writers are serialized (BEGIN IMMEDIATE), so the check above cannot race.
        session.add(message)
        session.flush()
        return message
    # On PostgreSQL two transactions can both pass the check; the loser's unique violation would abort
    # the caller's whole transaction, so the insert runs inside a SAVEPOINT that alone is rolled back.
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if _exists(session, key):
            return None
        raise
    return message


def _exists(session: Session, key: str) -> bool:
    return session.execute(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None
