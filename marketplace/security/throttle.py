"""Throttling of credential guessing and floods, kept in the database (AuthThrottle) so it holds across
processes and app nodes. Keys are `action:kind:HMAC(SECRET_KEY, value)`: the table never holds an e-mail
address or an IP in the clear.

Two kinds of counter share the table:
- consecutive failures (login): a growing delay after LOGIN_DELAY_AFTER, a lock after LOGIN_LOCK_AFTER,
  reset by a success;
- a fixed window (reset requests, registrations, invitation failures, the API): `failures` counts the
  window's requests, `first_failure_at` is the window's start; one upsert per request.

A refused attempt is answered 429 with Retry-After before any password is checked."""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from flask import current_app, request
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..i18n import _, is_english
from ..modelbase import utcnow
from .models import AuthThrottle

LOCAL = timezone(timedelta(hours=8), "CST")  # the clock the message shows; the platform serves China
# Consecutive login failures older than this are forgotten, so a typo a week ago does not count.
FAILURE_MEMORY = timedelta(hours=24)


@dataclass(frozen=True)
class Refusal:
    retry_at: datetime

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil((self.retry_at - utcnow()).total_seconds()))

    @property
    def message(self) -> str:
        local = self.retry_at.astimezone(LOCAL)
        when = local.strftime("%H:%M")
        if local.date() != utcnow().astimezone(LOCAL).date():
            when = f"{local.day} {local.strftime('%b')} {when}" if is_english() else local.strftime("%m月%d日 ") + when
        return _("尝试次数过多，请于 %(when)s 后再试。", when=when)


def key(action: str, kind: str, value: str, app=None) -> str:
    secret = (app or current_app).config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(secret, f"throttle:{action}:{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{action}:{kind}:{digest}"


def client_address() -> str:
    return request.remote_addr or "unknown"


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _row(session, throttle_key: str) -> AuthThrottle | None:
    return session.scalars(select(AuthThrottle).where(AuthThrottle.key == throttle_key)).first()


def _bump(session, throttle_key: str, window: timedelta, by: int = 1) -> tuple[int, datetime, datetime | None]:
    """Count `by` more in the key's window (a new window if the last began more than `window` ago), in one
    upsert that cannot race. Returns (count, window start, locked_until)."""
    now = utcnow()
    table = AuthThrottle.__table__
    stale = table.c.first_failure_at < now - window
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.values(key=throttle_key, failures=by, first_failure_at=now, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((stale, by), else_=table.c.failures + by),
              "first_failure_at": case((stale, now), else_=table.c.first_failure_at),
              "last_failure_at": now},
    ).returning(table.c.failures, table.c.first_failure_at, table.c.locked_until)
    count, started, locked_until = session.execute(statement).one()
    return count, _aware(started), _aware(locked_until)


# Consecutive failures (login) -------------------------------------------------------------------------

def refused(session, throttle_key: str, *, delay_after: int | None, max_delay: int) -> Refusal | None:
    """Whether the key is locked or still inside its growing delay. Reads only."""
    row = _row(session, throttle_key)
    if row is None:
        return None
    now = utcnow()
    if row.locked_until is not None and now < _aware(row.locked_until):
        return Refusal(_aware(row.locked_until))
    if now - _aware(row.last_failure_at) > FAILURE_MEMORY:
        return None
    if delay_after and row.failures >= delay_after:
        retry_at = _aware(row.last_failure_at) + timedelta(seconds=min(2 ** (row.failures - delay_after), max_delay))
        if now < retry_at:
            return Refusal(retry_at)
    return None


def fail(session, throttle_key: str, *, lock_after: int, lock_minutes: int) -> datetime | None:
    """Count one failure; lock the key when it reaches `lock_after`. Returns the new lock's end when this
    failure locked the key, else None."""
    count, _started, locked_until = _bump(session, throttle_key, FAILURE_MEMORY)
    now = utcnow()
    if count >= lock_after and (locked_until is None or locked_until <= now):
        row = _row(session, throttle_key)
        row.locked_until = now + timedelta(minutes=lock_minutes)
        session.flush()
        return _aware(row.locked_until)
    return None


def succeed(session, throttle_key: str) -> None:
    session.execute(delete(AuthThrottle).where(AuthThrottle.key == throttle_key))


# Fixed windows ------------------------------------------------------------------------------------------

def hit(session, throttle_key: str, *, limit: int, window: timedelta) -> Refusal | None:
    """Count this request in the key's window; refuse it if the window already holds `limit`."""
    count, started, _locked = _bump(session, throttle_key, window)
    return Refusal(started + window) if count > limit else None


def over(session, throttle_key: str, *, limit: int, window: timedelta) -> Refusal | None:
    """Whether the key's window is full (counted failures reach `limit`), without counting. Reads only."""
    row = _row(session, throttle_key)
    if row is None or utcnow() - _aware(row.first_failure_at) >= window or row.failures < limit:
        return None
    return Refusal(_aware(row.first_failure_at) + window)


# For views ----------------------------------------------------------------------------------------------

def count_request(session, action: str, kind: str, value: str, *, limit: int, window: timedelta) -> Refusal | None:
    """Count this request (kept even if the request fails) and refuse it past `limit` in the window; a
    refusal is written to the security log."""
    from ..db import keep_effect_even_on_rollback
    from .events import record

    throttle_key = key(action, kind, value)
    refusal = keep_effect_even_on_rollback(session, lambda s: hit(s, throttle_key, limit=limit, window=window))
    if refusal is not None:
        record(session, "throttle", outcome="denied", action=action, scope=kind,
               retry_after=refusal.retry_after_seconds)
    return refusal


def count_failure(session, action: str, kind: str, value: str, *, window: timedelta) -> None:
    """Count a failed attempt (kept although the failed request is rolled back); `over` reads it."""
    from ..db import keep_effect_even_on_rollback

    throttle_key = key(action, kind, value)
    keep_effect_even_on_rollback(session, lambda s: _bump(s, throttle_key, window))


def too_many(refusal: Refusal):
    """The 429 page: when to retry, in words and in Retry-After."""
    from flask import render_template

    body = render_template("errors/page.html", status_code=429, message=refusal.message)
    return body, 429, {"Retry-After": str(refusal.retry_after_seconds)}


def count_registration(session) -> Refusal | None:
    """Self-registration (organisations, volunteers): attempts per client address per hour."""
    return count_request(session, "register", "address", client_address(),
                         limit=current_app.config["LOGIN_REGISTER_PER_ADDRESS"], window=timedelta(hours=1))


_INVITATION_WINDOW = timedelta(minutes=15)


def invitation_refusal(session) -> Refusal | None:
    refusal = over(session, key("invitation", "address", client_address()),
                   limit=current_app.config["LOGIN_INVITATION_FAILURES_PER_ADDRESS"], window=_INVITATION_WINDOW)
    if refusal is not None:
        from .events import record

        record(session, "throttle", outcome="denied", action="invitation", scope="address",
               retry_after=refusal.retry_after_seconds)
    return refusal


def invitation_failed(session) -> None:
    count_failure(session, "invitation", "address", client_address(), window=_INVITATION_WINDOW)


def count_reset_request(session, email: str) -> Refusal | None:
    """忘记密码: requests per account (by normalised e-mail, existing or not) and per address, per hour."""
    from ..auth.service import normalise_email

    config, hour = current_app.config, timedelta(hours=1)
    return (count_request(session, "reset", "account", normalise_email(email),
                          limit=config["LOGIN_RESET_PER_ACCOUNT"], window=hour)
            or count_request(session, "reset", "address", client_address(),
                             limit=config["LOGIN_RESET_PER_ADDRESS"], window=hour))


def api_refusal(app=None, address: str | None = None, path: str | None = None) -> Refusal | None:
    """The public API's per-address limit (LOGIN_API_PER_MINUTE in a fixed one-minute window). Counted in
    the database so that it holds across processes and nodes, but written in batches (api_limit.py): a
    request that cannot reach the limit costs no write. Outside a request (page_cache's replay) the app,
    address and path are given."""
    from . import api_limit

    app = app or current_app._get_current_object()
    return api_limit.counter_of(app).refusal(app, address or client_address(), path or request.path)


def add_api_requests(app, address: str, path: str, count: int) -> tuple[int, int, datetime]:
    """Add `count` requests to the address's window; (count before, count after, window start). The
    refusal is logged once per window, by the batch that crossed the limit."""
    from ..db import engine_of, transaction
    from .models import SecurityEvent

    limit = app.config["LOGIN_API_PER_MINUTE"]
    with transaction(engine_of(app)) as session:
        total, started, _locked = _bump(session, key("api", "address", address, app), timedelta(minutes=1),
                                        by=count)
        if total - count <= limit < total:
            # Written directly: events.record would load the signed-in user through the request's own
            # session, which on SQLite waits for this transaction's write lock.
            session.add(SecurityEvent(kind="throttle", outcome="denied", ip=address, path=path[:255],
                                      detail={"action": "api", "scope": "address"}))
    return total - count, total, started
