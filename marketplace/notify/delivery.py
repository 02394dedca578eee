"""Delivering queued mail from the outbox: only the worker calls this, never a request.

A round claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers share the queue; on
SQLite writers are serialized anyway), marks them "sending" with a lease and commits, then sends them over
one SMTP connection and commits each result on its own. The guarantee is at-least-once with a window of
one message: a worker killed between the server accepting a message and the commit of "sent" leaves
that row "sending"; after the lease runs out it is sent again. Every other row is either marked sent or
never went out. The Message-ID is derived from the idempotency key so a receiver can drop that duplicate.

A server that refuses the connection fails the round fast: the oldest claimed row is charged one attempt
(it is the probe), every other due row waits until the probe's next attempt without being charged, so an
outage does not push the whole queue to "failed" (see _defer_all)."""

import contextlib
import hashlib
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.charset import BASE64, Charset
from email.mime.text import MIMEText
from email.utils import parseaddr

from flask_mail import BadHeaderError, Connection, Mail, Message
from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from ..db import engine_of, transaction
from ..modelbase import utcnow
from ..outbox.models import OutboxMessage
from .outbox_mail import MAIL, UnreadableMail, opened

mail = Mail()

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0  # an attempt failed; the row waits for its back-off
    failed: int = 0  # out of attempts
    deferred: int = 0  # server unreachable: waits without being charged an attempt

    def __str__(self) -> str:
        return (f"mail_sent={self.sent} mail_retrying={self.retrying} mail_failed={self.failed} "
                f"mail_deferred={self.deferred}")


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 2, 4, 8 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), MAX_BACKOFF)


def message_id(key: str, sender: str) -> str:
    """Stable per idempotency key, so the copy resent after a crash carries the same Message-ID."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "shanqiao.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: its own smtplib.SMTP has none, so a hung server
    would hang the worker."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        state = self.mail
        cls = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = cls(state.server, state.port, timeout=self.timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        # A server that went away mid-batch makes QUIT fail too; the results are already recorded.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            super().__exit__(exc_type, exc_value, tb)


def deliver_due(app, limit: int | None = None) -> DeliveryReport:
    report = DeliveryReport()
    engine = engine_of(app)
    config = app.config
    rows, lease_end = _claim(engine, limit or config["MAIL_BATCH"], config["MAIL_LEASE_SECONDS"])
    report.claimed = len(rows)
    if not rows:
        return report
    with app.app_context():
        state = app.extensions["mail"]
        connection = _TimedConnection(state, config["MAIL_TIMEOUT"])
        try:
            connection.__enter__()
        except (smtplib.SMTPException, OSError) as error:
            retry_at = _record_failure(engine, rows[0], _short(error), config["MAIL_MAX_ATTEMPTS"], report)
            report.deferred = _defer_all(engine, rows[1:], retry_at, _short(error))
            return report
        try:
            _send_batch(engine, connection, rows, lease_end, state.default_sender, config, report,
                        app.extensions["marketplace.vault"])
        finally:
            connection.__exit__(None, None, None)
    return report


def _send_batch(engine, connection, rows, lease_end, sender, config, report, vault) -> None:
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    # Stop starting sends while one could still outlast the lease: after it, another worker may take
    # these rows, and sending them too would deliver twice. A send is bounded by the socket timeout.
    stop_at = lease_end - timedelta(seconds=min(config["MAIL_TIMEOUT"], config["MAIL_LEASE_SECONDS"] / 2))
    for index, row in enumerate(rows):
        if utcnow() >= stop_at:
            _release(engine, rows[index:])
            return
        try:
            connection.send(_build(row, sender, vault))
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException, BadHeaderError, KeyError,
                TypeError, UnreadableMail) as error:
            if getattr(error, "smtp_code", None) == 421:  # the server is closing the connection
                _record_failure(engine, row, _short(error), max_attempts, report)
                _release(engine, rows[index + 1:])
                return
            # Refused recipient, rejected data, a malformed payload: this message only; the connection
            # is still good (smtplib resets the SMTP transaction after a refusal).
            _record_failure(engine, row, _short(error), max_attempts, report)
            continue
        except OSError as error:  # smtplib.SMTPException is an OSError too: disconnects, timeouts
            # The connection is in doubt: charge this row, give the rest back for the next round.
            _record_failure(engine, row, _short(error), max_attempts, report)
            _release(engine, rows[index + 1:])
            return
        _mark_sent(engine, row.id)
        report.sent += 1


def _claim(engine, limit: int, lease_seconds: int):
    now = utcnow()
    lease_end = now + timedelta(seconds=lease_seconds)
    with transaction(engine) as session:
        due = or_(and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                  and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now))
        # SKIP LOCKED: a second worker takes the next rows instead of waiting for these (ignored by SQLite,
        # whose BEGIN IMMEDIATE already serializes claimers).
        rows = list(session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == MAIL, due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if rows:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows]))
                            .values(status="sending", locked_until=lease_end))
        for row in rows:
            session.expunge(row)
    return rows, lease_end


class _Message(Message):
    """Flask-Mail registers utf-8 bodies as raw 8-bit, so a rendered HTML line longer than 998 bytes (a
    table of Chinese text easily is) is refused by the server ("500 Line too long", RFC 5321). Encode
    the parts in base64 instead: compact for Chinese and safe for any line length."""

    def _mimetext(self, text, subtype="plain"):
        utf8 = Charset("utf-8")
        utf8.body_encoding = BASE64
        return MIMEText(text, _subtype=subtype, _charset=utf8)


def _build(row: OutboxMessage, sender: str, vault) -> Message:
    data = opened(row.payload, vault)  # the sealed body is opened here only, in memory, to send it
    message = _Message(subject=data["subject"], recipients=[data["to"]], body=data["text"],
                      html=data.get("html") or None, sender=sender,
                      extra_headers=dict(data.get("headers") or {}) or None)
    message.msgId = message_id(row.idempotency_key or f"outbox-{row.id}", sender)
    return message


def _mark_sent(engine, row_id: int) -> None:
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                        .values(status="sent", sent_at=utcnow(), locked_until=None, last_error=None))


def _record_failure(engine, row: OutboxMessage, error: str, max_attempts: int, report: DeliveryReport):
    attempts = row.attempts + 1
    retry_at = utcnow() + backoff(attempts)
    gave_up = attempts >= max_attempts
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                        .values(status="failed" if gave_up else "pending", attempts=attempts,
                                last_error=error, next_attempt_at=retry_at, locked_until=None))
    if gave_up:
        report.failed += 1
    else:
        report.retrying += 1
    return retry_at


def _release(engine, rows: list[OutboxMessage]) -> None:
    """Rows not tried because the connection broke: due again at once, no attempt charged."""
    if rows:
        with transaction(engine) as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows]))
                            .values(status="pending", locked_until=None))


def _defer_all(engine, rows: list[OutboxMessage], retry_at, error: str) -> int:
    """The server is unreachable: the claimed rows and every other due mail row wait for the probe's
    retry, so each poll does not charge yet another row for the same outage."""
    with transaction(engine) as session:
        if rows:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows]))
                            .values(status="pending", locked_until=None, next_attempt_at=retry_at,
                                    last_error=f"{error}（服务器不可达，未计入尝试次数）"[:500]))
        others = _defer_due(session, retry_at)
    return len(rows) + others


def _defer_due(session: Session, retry_at) -> int:
    result = session.execute(update(OutboxMessage)
                             .where(OutboxMessage.topic == MAIL, OutboxMessage.status == "pending",
                                    OutboxMessage.next_attempt_at < retry_at)
                             .values(next_attempt_at=retry_at))
    return result.rowcount


def _short(error: BaseException) -> str:
    """The error class and the server's reply, never the message itself (it may hold personal data)."""
    if isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
    elif isinstance(error, KeyError | TypeError):
        detail = "邮件内容不完整"
    elif isinstance(error, UnreadableMail):
        detail = str(error)
    else:
        detail = str(error)
    return f"{type(error).__name__}: {detail}"[:300]


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def retry(session: Session, row_id: int) -> bool:
    """Staff asked to try a failed message again: due now, its attempts kept (the next failure fails it
    again at once, rather than granting another full series)."""
    result = session.execute(update(OutboxMessage)
                             .where(OutboxMessage.id == row_id, OutboxMessage.topic == MAIL,
                                    OutboxMessage.status == "failed")
                             .values(status="pending", next_attempt_at=utcnow(), locked_until=None))
    return result.rowcount == 1
