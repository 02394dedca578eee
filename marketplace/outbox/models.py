from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class OutboxMessage(SQLModel, table=True):
    """One side effect of a committed change. Two topics behave differently:
    - `search`: a stream every app node reads in id order to keep its own index current; rows are not
      consumed, each node remembers how far it has read, and housekeeping prunes old rows;
    - `mail`: delivered once by whichever worker locks the row first, retried with back-off.
    A row written in a transaction that rolls back never exists, so nothing is sent for an undone change."""

    __tablename__ = "outbox"
    # ix_outbox_created: each node's search catch-up re-reads the last minute of events (search/sync.py).
    # ix_outbox_mail_scope: 邮件队列 lists a region's mail by status and due time (notify/views.py).
    __table_args__ = (Index("ix_outbox_due", "topic", "status", "next_attempt_at"),
                      Index("ix_outbox_created", "created_at"),
                      Index("ix_outbox_mail_scope", "topic", "region", "status", "next_attempt_at"))

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=16)
    kind: str = Field(max_length=40)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    # Mail only: the recipient's region (messages.recipient_region), in a column so that staff's scope
    # filter is an index range rather than a look inside every row's JSON.
    region: str | None = Field(default=None, max_length=12)
    # Stable per logical message, so a retried or re-queued message is recognised and sent only once.
    idempotency_key: str | None = Field(default=None, max_length=160, unique=True)
    status: str = Field(default="pending", max_length=12)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    # Mail only: a worker that took the row for sending holds it until then. A row still "sending" after
    # its lease belonged to a worker that died, and is due again (marketplace/notify/delivery.py).
    locked_until: datetime | None = None
