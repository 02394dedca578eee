"""Signed links that act without a sign-in: one-click unsubscribe and password reset. Both are
itsdangerous tokens under the app's SECRET_KEY, each with its own salt so neither can stand in for the other."""

import hashlib
import os

from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

UNSUBSCRIBE_SALT = "shanqiao.notify.unsubscribe"
RESET_SALT = "shanqiao.auth.password-reset"
# Long enough for a digest read weeks late; the link only ever turns mail off.
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600
RESET_MAX_AGE = 3600


def config() -> dict:
    """The running app's config; outside one (a service called from a script) the same values the app
    factory would load, so links and keys agree either way."""
    if has_app_context():
        return current_app.config
    from ..config import load_config

    return load_config()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config()["SECRET_KEY"], salt=salt)


def absolute(path: str) -> str:
    base = config().get("BASE_URL") or os.environ.get("MARKETPLACE_BASE_URL") or "http://127.0.0.1:5000"
    return base.rstrip("/") + path


def unsubscribe_token(user_id: int, topic: str) -> str:
    return _serializer(UNSUBSCRIBE_SALT).dumps({"u": user_id, "t": topic})


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    """(user id, topic), or None for a tampered, foreign or expired token."""
    try:
        data = _serializer(UNSUBSCRIBE_SALT).loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("t"), str):
        return None
    return data["u"], data["t"]


def password_fingerprint(password_hash: str) -> str:
    """Binds a reset token to the password it replaces: once the password changes the token is dead
    (single use), and the token does not carry the hash itself."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:24]


def reset_token(user) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "p": password_fingerprint(user.password_hash)})


def read_reset(token: str, max_age: int = RESET_MAX_AGE) -> tuple[int, str] | None:
    """(user id, password fingerprint), or None if the token is invalid or older than an hour."""
    try:
        data = _serializer(RESET_SALT).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("p"), str):
        return None
    return data["u"], data["p"]
