"""Server-side, revocable sessions. Contract used across the codebase:

- start_session(db_session, user): sign `user` in on this browser (a new UserSession row, its token in the
  cookie, Flask-Login's login_user); the session counts as freshly re-authenticated.
- end_user_sessions(db_session, user, reason, keep_current=False) -> int: end every live session of `user`
  (logout elsewhere, password change or reset, role/duty/scope/organisation change, deactivation).
- mark_reauthenticated(db_session): the current session proved its user again just now.
- reauthenticated_within(minutes) -> bool: the current session proved its user within `minutes`.

The signed cookie holds one random token under Flask-Login's `_user_id` key (never the user's id), and
the table holds its SHA-256 only. Flask-Login's user_loader (web.py) calls `load_user(token)`, which
accepts a row that is not ended, not past its absolute lifetime, not idle, of an active account; so ending
a row (or deactivating the account) ends the session wherever the cookie has been copied."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, has_request_context, request
from flask import session as cookie_session
from flask_login import current_user, login_user
from sqlalchemy import select, update

from ..modelbase import utcnow
from .models import UserSession

# last_seen_at is written at most this often: idle timeouts are minutes long, a write per request is waste.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def idle_limit(user) -> timedelta:
    config = current_app.config
    minutes = config["SESSION_IDLE_STAFF_MINUTES"] if user.is_staff else config["SESSION_IDLE_OTHER_MINUTES"]
    return timedelta(minutes=minutes)


def absolute_limit(user) -> timedelta:
    config = current_app.config
    hours = config["SESSION_ABSOLUTE_STAFF_HOURS"] if user.is_staff else config["SESSION_ABSOLUTE_OTHER_HOURS"]
    return timedelta(hours=hours)


def start_session(db_session, user) -> None:
    now = utcnow()
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                      reauth_at=now, expires_at=now + absolute_limit(user),
                      user_agent=(request.user_agent.string or "")[:200], ip=request.remote_addr)
    db_session.add(row)
    db_session.flush()
    # No remember-me cookie, ever: it would outlive the row. Flask-Login stores get_id() first; the
    # token replaces it so the cookie never carries the account's id.
    login_user(user, remember=False)
    cookie_session["_user_id"] = token
    cookie_session.pop("_remember", None)
    g.user_session = row


def load_user(db_session, token: str):
    """The account of a live session, or None (the browser is then anonymous). Ends a row found idle or
    expired, and refreshes last_seen_at at most once a minute."""
    from ..auth.models import AppUser

    if not token:
        return None
    row = db_session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = db_session.get(AppUser, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if now >= _aware(row.expires_at):
        _end(db_session, row, "expired", now)
        return None
    if now - _aware(row.last_seen_at) >= idle_limit(user):
        _end(db_session, row, "idle", now)
        return None
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
        db_session.flush()
    g.user_session = row
    return user


def current_session() -> UserSession | None:
    """This browser's session row (None when nobody is signed in)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return g.get("user_session")


def _end(db_session, row: UserSession, reason: str, now: datetime | None = None) -> None:
    row.ended_at = now or utcnow()
    row.end_reason = reason[:40]
    db_session.flush()


def end_session(db_session, row: UserSession, reason: str) -> None:
    """End one session (logout, or 登录设备's 结束): the caller writes the security event."""
    if row.ended_at is None:
        _end(db_session, row, reason)


def end_user_sessions(db_session, user, reason: str, keep_current: bool = False) -> int:
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    current = current_session()
    if keep_current and current is not None and current.user_id == user.id:
        query = query.where(UserSession.id != current.id)
    result = db_session.execute(query.values(ended_at=utcnow(), end_reason=reason[:40])
                                .execution_options(synchronize_session="fetch"))
    db_session.flush()
    return result.rowcount or 0


def live_sessions(db_session, user) -> list[UserSession]:
    """The account's sessions that still let a browser in, newest activity first (登录设备)."""
    now = utcnow()
    rows = db_session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.ended_at.is_(None),
                                                        UserSession.expires_at > now)
                              .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
    idle = idle_limit(user)
    return [row for row in rows if now - _aware(row.last_seen_at) < idle]


def mark_reauthenticated(db_session) -> None:
    row = current_session()
    if row is not None:
        row.reauth_at = utcnow()
        db_session.flush()


def reauthenticated_within(minutes: int) -> bool:
    row = current_session()
    return row is not None and utcnow() - _aware(row.reauth_at) <= timedelta(minutes=minutes)
