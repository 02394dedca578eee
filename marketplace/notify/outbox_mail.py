"""Queueing mail: one outbox row written in the caller's transaction. Nothing is sent here; the worker
delivers the row after the change has committed (marketplace.notify.delivery), so a rollback sends nothing.

The body is sealed at rest: text, HTML and headers are one AES-GCM ciphertext under the vault's key
(privacy/vault.py), opened only by the worker when it sends. Mail carries live links (password reset,
invitations) and personal context; a database dump, a backup or a SELECT on the outbox shows neither. The
row keeps in clear only what the 邮件队列 page lists and filters by: recipient address, subject, the
recipient's user id and region (the page's scope), and whether the recipient is staff.

Why sealing rather than rendering the link at send time: an invitation's token exists only when it is
created (the database keeps its hash), so it cannot be rendered later; one rule for every kind of mail
also means a new kind with a token cannot be forgotten."""

import base64
import json
from functools import cache

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..outbox.models import OutboxMessage
from ..privacy.vault import Vault, load_master_key

MAIL = "mail"
_SEALED = ("text", "html", "headers")


class UnreadableMail(ValueError):
    """A sealed body that the current key cannot open (the data key was changed)."""


def queue(session: Session, *, to: str, subject: str, text: str, html: str | None, key: str, kind: str,
          headers: dict[str, str] | None = None, staff: bool = False, user_id: int | None = None,
          region: str | None = None) -> OutboxMessage | None:
    """Queue one message under a stable idempotency key. Returns None, writing nothing, if a message with
    that key already exists: re-running the change that queues it (a retried request, a repeated digest
    run) must not mail twice. `region` is the recipient's region (see messages.recipient_region): staff see
    the mail of their own region subtree only."""
    if _exists(session, key):
        return None
    body = {"text": text, "html": html, "headers": dict(headers or {})}
    message = OutboxMessage(topic=MAIL, kind=kind, idempotency_key=key, region=region,
                            payload={"to": to, "subject": subject, "staff": staff, "user_id": user_id,
                                     "region": region, "sealed": seal(body)})
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


def seal(body: dict, vault: Vault | None = None) -> str:
    blob = (vault or _vault()).encrypt(json.dumps(body, ensure_ascii=False, sort_keys=True))
    return base64.b64encode(blob).decode("ascii")


def opened(payload: dict, vault: Vault | None = None) -> dict:
    """The payload as the worker sends it: the sealed body opened into `text`, `html` and `headers`."""
    data = {k: v for k, v in payload.items() if k != "sealed"}
    if "sealed" not in payload:  # queued before bodies were sealed
        return data
    try:
        body = json.loads((vault or _vault()).decrypt(base64.b64decode(payload["sealed"])))
    except (InvalidTag, ValueError) as error:
        raise UnreadableMail("邮件内容无法解密（数据密钥已更换？）") from error
    return {**data, **{k: body.get(k) for k in _SEALED}}


def _vault() -> Vault:
    """The app's vault; outside an app (a service called from a script or a test) the one the app would
    load from the same instance directory or MARKETPLACE_DATA_KEY."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.extensions["marketplace.vault"]
    from ..config import instance_dir

    return _vault_for(load_master_key(instance_dir()))


@cache
def _vault_for(key: bytes) -> Vault:
    return Vault(key)
