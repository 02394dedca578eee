"""Recent re-authentication (within REAUTH_MINUTES) before the most sensitive acts: granting duties,
creating accounts, exporting data. Filled in with the server-side sessions; until the caller's session
records a proof, every signed-in session counts as freshly authenticated at login."""

from flask import redirect, url_for


def is_recent() -> bool:
    return True


def ask(next_path: str):
    return redirect(url_for("auth.login", next=next_path), code=303)
