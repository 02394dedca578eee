"""Accounts: creation with a modern KDF (scrypt via Werkzeug) and sign-in."""

import re

from sqlalchemy import func, select
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Invalid
from ..i18n import _
from ..modelbase import utcnow
from ..organizations.models import Organization
from ..regions.models import Region
from ..vocabulary import ROLES, STAFF_DUTIES
from . import passwords
from .models import AppUser

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = passwords.MIN_LENGTH
# Werkzeug's scrypt (N=2^15, r=8, p=1). The test suite swaps in a cheap method for speed; nothing else may.
PASSWORD_METHOD = "scrypt"
# Compared against when the account does not exist, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def normalise_duties(duties) -> str:
    """Duty codes (an iterable, or a comma-separated string) as stored on AppUser.duties, in the order
    of vocabulary.STAFF_DUTIES; an unknown code is refused, not dropped."""
    codes = {d.strip() for d in (duties.split(",") if isinstance(duties, str) else duties or ()) if d.strip()}
    if unknown := codes - set(STAFF_DUTIES):
        raise Invalid(_("未知的职责：%(codes)s。", codes="、".join(sorted(unknown))), "duties")
    return ",".join(code for code in STAFF_DUTIES if code in codes)


def create_user(session: Session, *, email: str, password: str, display_name: str, role: str,
                region_code: str | None = None, organization_id: int | None = None, duties=()) -> AppUser:
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise Invalid(_("请输入有效的电子邮箱地址。"), "email")
    if role not in ROLES:
        raise Invalid(_("角色须为 %(roles)s 之一。", roles=", ".join(ROLES)), "role")
    if not (display_name or "").strip():
        raise Invalid(_("请填写姓名或称呼。"), "display_name")
    passwords.check(password, email=email, display_name=display_name)
    if role == "staff" and not region_code:
        raise Invalid(_("民政工作人员须指定负责的行政区划。"), "region_code")
    if region_code and session.get(Region, region_code) is None:
        raise Invalid(_("行政区划代码 %(code)s 不存在。", code=region_code), "region_code")
    if role == "charity" and (organization_id is None or session.get(Organization, organization_id) is None):
        raise Invalid(_("慈善组织成员须属于一个已登记的组织。"), "organization_id")
    duties = normalise_duties(duties)
    if duties and role != "staff":
        raise Invalid(_("只有民政工作人员账号可以授予职责。"), "duties")
    if session.scalar(select(func.count()).select_from(AppUser).where(AppUser.email == email)):
        raise Invalid(_("该邮箱已注册。"), "email")
    user = AppUser(email=email, display_name=display_name.strip(), password_hash=passwords.hash_password(password),
                   role=role, region_code=region_code, organization_id=organization_id, duties=duties,
                   password_changed_at=utcnow())
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> AppUser | None:
    user = session.scalars(select(AppUser).where(AppUser.email == normalise_email(email))).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    # The hash is checked for a deactivated account too: the answer and its timing must not tell.
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user
