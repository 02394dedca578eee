"""Security state kept in the database, so it holds across processes and app nodes: the append-only
security log, the server-side sessions, and the failure counters that throttle credential guessing."""

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class SecurityEvent(SQLModel, table=True):
    """One security-relevant act (安全日志): a login, a lock, a session end, an account or duty change, a
    denial, an export. Rows are only ever inserted; the application has no update or delete path."""

    __tablename__ = "security_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=40, index=True)
    # ok, failed, denied, locked
    outcome: str = Field(default="ok", max_length=12)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    subject_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # The region the event belongs to, for scoping the log to the reader (the actor's, or the subject's).
    region_code: str | None = Field(default=None, max_length=12, index=True)
    ip: str | None = Field(default=None, max_length=45)
    path: str | None = Field(default=None, max_length=255)
    rows: int | None = None
    # Never a password, token, ID number, phone or household name: ids, codes and counts only.
    detail: dict = Field(default_factory=dict, sa_type=JSON)


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so a copy of
    this table cannot be replayed. Ending a row ends the session at once, wherever the cookie is."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # When the user last proved who they are (password, and the second factor if enrolled).
    reauth_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=40)
    user_agent: str = Field(default="", max_length=200)
    ip: str | None = Field(default=None, max_length=45)


class AuthThrottle(SQLModel, table=True):
    """Consecutive failures for one key: `action:kind:digest`, e.g. login by account or by client address.
    The digest is keyed, so the table holds no e-mail address or IP in the clear."""

    __tablename__ = "auth_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    failures: int = Field(default=0)
    first_failure_at: datetime = Field(default_factory=utcnow)
    last_failure_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
