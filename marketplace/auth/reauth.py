"""Recent re-authentication (within REAUTH_MINUTES) before the most sensitive acts: granting duties,
creating accounts, revealing contacts, exporting data. Rules with `reauth=True` in auth/policy.py call
is_recent() and, when stale, ask(); the page that takes the proof is reauth_views.py.

A POST that meets a stale proof cannot be replayed after it (its body is gone, and the CSRF token would
be reused), so the user comes back to the page the form was on, with a message to submit it again."""

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for

from ..i18n import _
from ..security import sessions
from .two_factor import safe_path

REAUTH_MINUTES = 10
_SAFE_METHODS = {"GET", "HEAD"}


def is_recent() -> bool:
    return sessions.reauthenticated_within(REAUTH_MINUTES)


def _form_page() -> str:
    """Where a refused POST came from: the Referer when it is this site, else the same path (its GET)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme in ("http", "https") and referrer.netloc == request.host:
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if safe_path(path):
            return path
    return request.path


def ask(next_path: str | None = None):
    """Send the browser to the re-authentication page, then back: to `next_path` after a GET (default:
    this URL), to the form's page after any other method."""
    if request.method in _SAFE_METHODS:
        target = safe_path((next_path or request.full_path).rstrip("?")) or "/"
    else:
        target = _form_page()
        flash(_("为保护数据安全，请先重新验证身份；验证后请再次提交刚才的表单。"), "info")
    location = url_for("reauth.page", next=target)
    if request.headers.get("HX-Request"):  # htmx: navigate the whole page, not swap the form into a target
        return "", 204, {"HX-Redirect": location}
    return redirect(location, code=303)
