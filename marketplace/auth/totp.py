"""The second factor itself: TOTP secrets kept encrypted with the vault, codes accepted once, and
single-use recovery codes kept as keyed hashes. Plain functions that flush and never commit; the pages
are in two_factor_views.py, the login contract in two_factor.py."""

import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, or_, select, update

from ..i18n import N_, _
from ..modelbase import utcnow
from ..privacy.vault import vault
from .models import AppUser, RecoveryCode

ISSUER = N_("善桥")  # the name the authenticator app shows, in the enrolling person's language
STEP_SECONDS = 30
# One step either side of now (pyotp's valid_window=1): a phone clock off by up to 30 s still works.
VALID_WINDOW = 1
RECOVERY_CODES = 10
# Recovery codes are read off paper and typed: no 0/o, 1/l/i. 10 characters of 31 ≈ 50 bits each.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_LENGTH = 10


def is_enrolled(user) -> bool:
    return user is not None and user.totp_enabled_at is not None and user.totp_secret_enc is not None


def secret_of(user: AppUser) -> str | None:
    return vault().decrypt(user.totp_secret_enc)


def pending_secret(session, user: AppUser) -> str:
    """The secret being enrolled: created once and kept (encrypted) until confirmed, so reloading the
    page does not invalidate a QR code already scanned."""
    if user.totp_enabled_at is None and user.totp_secret_enc is not None:
        return secret_of(user)
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    user.totp_secret_enc = vault().encrypt(secret)
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.flush()
    return secret


def provisioning_uri(user: AppUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=_(ISSUER))


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no <?xml?> declaration, no external image)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title=_("双因素认证二维码"), border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Constant-time comparison, and no early exit: the timing does not tell which step matched.
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            found = step
    return found


def verify_code(session, user: AppUser, code: str, *, secret: str | None = None) -> bool:
    """Whether `code` is a current TOTP code of `user` not used before. Accepting it records its time
    step in one conditional UPDATE, so the same code (or an older one) is refused afterwards, even by a
    request racing this one."""
    secret = secret or (secret_of(user) if user.totp_secret_enc else None)
    if not secret:
        return False
    step = _matching_step(secret, code)
    if step is None:
        return False
    result = session.execute(
        update(AppUser)
        .where(AppUser.id == user.id, or_(AppUser.totp_last_step.is_(None), AppUser.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False))
    session.flush()
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def confirm(session, user: AppUser, code: str) -> list[str] | None:
    """Finish enrolment with the first code from the app; returns the new recovery codes (shown once),
    or None when the code is wrong."""
    if user.totp_secret_enc is None or user.totp_enabled_at is not None:
        return None
    if not verify_code(session, user, code):
        return None
    user.totp_enabled_at = utcnow()
    session.flush()
    return issue_recovery_codes(session, user)


def disable(session, user: AppUser) -> None:
    user.totp_secret_enc = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


# Recovery codes -----------------------------------------------------------------------------------------

def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def _recovery_hash(user_id: int, normalised: str) -> str:
    # Keyed (the vault's HMAC key): a copy of the table alone cannot be brute-forced offline.
    return vault().digest("recovery-code", user_id, normalised)


def issue_recovery_codes(session, user: AppUser) -> list[str]:
    """Replace the account's recovery codes with RECOVERY_CODES new ones; only their hashes are kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _char in range(_RECOVERY_LENGTH))
             for _code in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code)) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def unused_recovery_codes(session, user: AppUser) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))).all())


def use_recovery_code(session, user: AppUser, code: str) -> bool:
    """Spend one recovery code: true once per code. Every unused hash is compared in constant time, and
    the code is marked used by a conditional UPDATE, so two requests cannot both spend it."""
    normalised = _normalise_recovery(code)
    if len(normalised) != _RECOVERY_LENGTH:
        return False
    wanted = _recovery_hash(user.id, normalised)
    rows = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                      RecoveryCode.used_at.is_(None))).all()
    match = None
    for row in rows:
        if hmac.compare_digest(row.code_hash, wanted):
            match = row
    if match is None:
        return False
    result = session.execute(update(RecoveryCode)
                             .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
                             .values(used_at=utcnow())
                             .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount == 1


def looks_like_totp(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", re.sub(r"\s", "", code or "")))
