"""Sign-in throttling: per account (by normalised e-mail, whether or not the account exists, so the answers
are the same) and per client address. The login view asks `refusal` before checking any password, and
reports each outcome; failures are counted even though the failed request itself is rolled back."""

from flask import current_app
from sqlalchemy import select

from ..db import keep_effect_even_on_rollback
from . import throttle
from .events import record

ACTION = "login"


def _keys(email: str) -> tuple[str, str]:
    from ..auth.service import normalise_email

    return (throttle.key(ACTION, "account", normalise_email(email)),
            throttle.key(ACTION, "address", throttle.client_address()))


def refusal(session, email: str) -> throttle.Refusal | None:
    """The account's delay or lock, else the address's lock; None when the attempt may go ahead. A refusal
    is written to the security log; the same answer is given for existing and unknown addresses."""
    config = current_app.config
    account, address = _keys(email)
    refused = (throttle.refused(session, account, delay_after=config["LOGIN_DELAY_AFTER"],
                                max_delay=config["LOGIN_MAX_DELAY_SECONDS"])
               or throttle.refused(session, address, delay_after=None, max_delay=0))
    if refused is not None:
        record(session, "throttle", outcome="denied", subject=_account(session, email), action=ACTION,
               retry_after=refused.retry_after_seconds)
    return refused


def failed(session, email: str) -> None:
    """Count a wrong password (or unknown, or deactivated account). The failure that reaches the lock
    threshold locks the account key for LOGIN_LOCK_MINUTES and mails the account, if there is one."""
    config = current_app.config
    account_key, address_key = _keys(email)
    user = _account(session, email)

    def count(db_session):
        locked_until = throttle.fail(db_session, account_key, lock_after=config["LOGIN_LOCK_AFTER"],
                                     lock_minutes=config["LOGIN_LOCK_MINUTES"])
        throttle.fail(db_session, address_key, lock_after=config["LOGIN_ADDRESS_LOCK_AFTER"],
                      lock_minutes=config["LOGIN_LOCK_MINUTES"])
        if locked_until is not None and user is not None:
            _mail_lock(db_session, user, locked_until)
        return locked_until

    locked_until = keep_effect_even_on_rollback(session, count)
    record(session, "login", outcome="failed", subject=user)
    if locked_until is not None:
        record(session, "login.locked", outcome="locked", subject=user,
               minutes=config["LOGIN_LOCK_MINUTES"])


def succeeded(session, email: str) -> None:
    account_key, _address = _keys(email)
    throttle.succeed(session, account_key)


def _account(session, email: str):
    from ..auth.models import AppUser
    from ..auth.service import normalise_email

    return session.scalars(select(AppUser).where(AppUser.email == normalise_email(email))).first()


def _mail_lock(session, user, locked_until) -> None:
    from ..notify.messages import send

    user = session.merge(user)  # after a rollback the replay runs in a fresh transaction
    until = locked_until.astimezone(throttle.LOCAL).strftime("%H:%M")
    send(session, "login.locked", user,
         {"name": user.display_name, "minutes": current_app.config["LOGIN_LOCK_MINUTES"], "until": until,
          "path": "/password/forgot"},
         f"login.locked:{user.id}:{locked_until.strftime('%Y%m%d%H%M')}")
