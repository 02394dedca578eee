"""The password policy, in one place for account creation, registration, invitation, reset and change;
and the one way a password is set (hash, password_changed_at).

Policy (ASVS 5.0 §6.2; NIST SP 800-63B): at least 10 characters, no composition rules, not the account's
own e-mail name or display name, not a well-known password. Each refusal names the rule broken."""

from functools import cache
from pathlib import Path

from werkzeug.security import generate_password_hash

from ..errors import Invalid
from ..i18n import _
from ..modelbase import utcnow

MIN_LENGTH = 10
# Shorter names ("li", "a") would refuse half of all passwords for containing them.
_MIN_NAME_PART = 3
_COMMON = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """The first rule `password` breaks, as a message for the form; None if it is acceptable."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("密码至少%(min)s位。", min=MIN_LENGTH)
    lowered = password.lower()
    local = (email or "").strip().lower().split("@", 1)[0]
    if len(local) >= _MIN_NAME_PART and local in lowered:
        return _("密码不能包含您的邮箱用户名。")
    name = "".join((display_name or "").split()).lower()
    if len(name) >= _MIN_NAME_PART and name in lowered.replace(" ", ""):
        return _("密码不能包含您的姓名或称呼。")
    if lowered in common_passwords():
        return _("该密码过于常见，容易被猜中，请换一个。")
    return None


def check(password: str, *, email: str = "", display_name: str = "", field: str = "password") -> None:
    message = problem(password, email=email, display_name=display_name)
    if message:
        raise Invalid(message, field)


def hash_password(password: str) -> str:
    from . import service  # the suite swaps service.PASSWORD_METHOD for a cheap one

    return generate_password_hash(password, method=service.PASSWORD_METHOD)


def set_password(session, user, password: str) -> None:
    """Check the policy against this account and store the new hash. Callers end the user's sessions
    (security.sessions.end_user_sessions): a new password must lock out whoever knew the old one."""
    check(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.flush()
