"""Password reset by e-mailed link. The link's token is signed and bound to the current password hash,
so it works once (the new password kills it) and for one hour. Services flush, never commit."""

import time

from sqlalchemy import select
from sqlmodel import Session

from ..auth import service as accounts
from ..auth.models import AppUser
from ..auth.passwords import set_password
from . import tokens
from .messages import send

# One mail per account per ten minutes: the key repeats inside the window, so a button pressed ten times
# (or a script aimed at someone's inbox) queues one message.
RESEND_WINDOW = 600


def request_reset(session: Session, email: str) -> None:
    """Queue the reset mail if an active account has this address. Says nothing either way: the page
    answers the same, so it cannot be used to learn who has an account."""
    user = session.scalars(select(AppUser).where(AppUser.email == accounts.normalise_email(email))).first()
    if user is None or not user.is_active:
        return
    token = tokens.reset_token(user)
    key = f"password.reset:{user.id}:{tokens.password_fingerprint(user.password_hash)}:" \
          f"{int(time.time()) // RESEND_WINDOW}"
    send(session, "password.reset", user,
         {"name": user.display_name, "minutes": tokens.RESET_MAX_AGE // 60, "path": f"/password/reset/{token}"},
         key)


def user_for(session: Session, token: str) -> AppUser | None:
    """The account a still-valid token names; None if tampered, expired, or already used."""
    found = tokens.read_reset(token)
    if found is None:
        return None
    user = session.get(AppUser, found[0])
    if user is None or not user.is_active or tokens.password_fingerprint(user.password_hash) != found[1]:
        return None
    return user


def reset(session: Session, user: AppUser, password: str) -> AppUser:
    """Set the new password and end every session of the account: whoever knew the old password (or
    holds a stolen cookie) is out."""
    from ..security import sessions

    set_password(session, user, password)
    sessions.end_user_sessions(session, user, "password.reset")
    return user
