"""Two-factor sign-in for staff (TOTP). Contract with the login view:

- second_step_required(user) -> bool: after a correct password, whether the login must continue with a
  second step (a TOTP/recovery code, or enrolment when MARKETPLACE_STAFF_2FA=required and none is set up).
- begin_second_step(user): remember the half-signed-in user (not signed in yet) and return the redirect
  response to the second step's page; that page calls security.sessions.start_session once it passes.

The half-signed-in user lives in the signed Flask session (an id and a time, never a secret) for at most
PENDING_MINUTES; PENDING_ATTEMPTS wrong codes end it. Because a signed cookie can be replayed with its
counter at zero, wrong codes are also counted per account in the database (security/throttle.py), which
locks the second step like the password step."""

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask import session as cookie_session

from ..i18n import _
from . import totp

PENDING_KEY = "2fa_pending"
PENDING_MINUTES = 5
PENDING_ATTEMPTS = 5


def staff_2fa_required() -> bool:
    return current_app.config.get("STAFF_2FA", "required") != "optional"


def second_step_required(user) -> bool:
    """Anyone enrolled gives a code; with "required", staff not enrolled yet go to enrolment."""
    if totp.is_enrolled(user):
        return True
    return bool(user.is_staff and staff_2fa_required())


def enrolment_pending(user) -> bool:
    """A signed-in staff account that may use nothing but the enrolment page (and sign out)."""
    return (getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False)
            and staff_2fa_required() and not totp.is_enrolled(user))


def safe_path(target: str | None) -> str | None:
    """A same-site path to go back to, or None. Refuses absolute and scheme-relative URLs, and the
    backslash and control-character forms that browsers read as another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def begin_second_step(user):
    from ..db import db
    from ..security import sessions

    next_path = safe_path(request.args.get("next"))
    if not totp.is_enrolled(user):
        # MARKETPLACE_STAFF_2FA=required and nothing set up: signed in, but kept on the enrolment page
        # (two_factor_views.confine_until_enrolled) until a first code is confirmed.
        sessions.start_session(db(), user)
        flash(_("您的账号须先启用双因素认证，才能使用其他功能。"), "info")
        return redirect(url_for("two_factor.enrol"), code=303)
    cookie_session.pop(PENDING_KEY, None)
    cookie_session[PENDING_KEY] = {"uid": user.id, "at": int(time.time()), "fails": 0, "next": next_path}
    return redirect(url_for("two_factor.second_step"), code=303)


def pending() -> dict | None:
    """The half-login of this browser, if it is still fresh."""
    state = cookie_session.get(PENDING_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("uid"), int):
        return None
    if time.time() - state.get("at", 0) > PENDING_MINUTES * 60:
        cookie_session.pop(PENDING_KEY, None)
        return None
    return state


def count_failure(state: dict) -> bool:
    """One more wrong code; true when it was the last allowed and the half-login is over."""
    state["fails"] = int(state.get("fails", 0)) + 1
    if state["fails"] >= PENDING_ATTEMPTS:
        cookie_session.pop(PENDING_KEY, None)
        return True
    cookie_session[PENDING_KEY] = state
    return False


def finish() -> str | None:
    """End the half-login; returns where the login was heading."""
    state = cookie_session.pop(PENDING_KEY, None) or {}
    return safe_path(state.get("next"))
