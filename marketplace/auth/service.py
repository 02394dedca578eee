"""Accounts: creation with a modern KDF (scrypt via Werkzeug) and sign-in."""

import re

from sqlalchemy import func, select
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Invalid
from ..modelbase import utcnow
from ..organizations.models import Organization
from ..regions.models import Region
from ..vocabulary import ROLES
from .models import AppUser

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
# Werkzeug's scrypt (N=2^15, r=8, p=1). The test suite swaps in a cheap method for speed; nothing else may.
PASSWORD_METHOD = "scrypt"
# Compared against when the account does not exist, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session: Session, *, email: str, password: str, display_name: str, role: str,
                region_code: str | None = None, organization_id: int | None = None) -> AppUser:
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise Invalid("请输入有效的电子邮箱地址。", "email")
    if role not in ROLES:
        raise Invalid(f"角色须为 {', '.join(ROLES)} 之一。", "role")
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"密码至少{MIN_PASSWORD}位。", "password")
    if not (display_name or "").strip():
        raise Invalid("请填写姓名或称呼。", "display_name")
    if role == "staff" and not region_code:
        raise Invalid("民政工作人员须指定负责的行政区划。", "region_code")
    if region_code and session.get(Region, region_code) is None:
        raise Invalid(f"行政区划代码 {region_code} 不存在。", "region_code")
    if role == "charity" and (organization_id is None or session.get(Organization, organization_id) is None):
        raise Invalid("慈善组织成员须属于一个已登记的组织。", "organization_id")
    if session.scalar(select(func.count()).select_from(AppUser).where(AppUser.email == email)):
        raise Invalid("该邮箱已注册。", "email")
    user = AppUser(email=email, display_name=display_name.strip(), password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
                   role=role, region_code=region_code, organization_id=organization_id)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> AppUser | None:
    user = session.scalars(select(AppUser).where(AppUser.email == normalise_email(email))).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.is_active or not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def _user_region(session: Session, user: AppUser) -> str | None:
    if user.region_code:
        return user.region_code
    if user.organization_id:
        org = session.get(Organization, user.organization_id)
        return org.region_code if org else None
    return None


def administrable(session: Session, actor: AppUser, user: AppUser) -> bool:
    """Staff administer the accounts whose region (or organisation's region) lies in their subtree."""
    from .access import in_scope

    return actor.role == "staff" and in_scope(actor, _user_region(session, user))


def users_in_scope(session: Session, actor: AppUser) -> list[AppUser]:
    from .access import require_role, scope_prefix

    require_role(actor, "staff")
    prefix = scope_prefix(actor.region_code)
    org_ids = select(Organization.id).where(Organization.region_code.startswith(prefix))
    query = select(AppUser).where(AppUser.region_code.startswith(prefix) | AppUser.organization_id.in_(org_ids))
    return list(session.scalars(query.order_by(AppUser.role, AppUser.email)))


def create_user_as(session: Session, actor: AppUser, **fields) -> AppUser:
    """create_user on behalf of a staff administrator, who may only add accounts inside their region."""
    from .access import in_scope, require_role

    require_role(actor, "staff")
    region = fields.get("region_code")
    if fields.get("organization_id"):
        org = session.get(Organization, fields["organization_id"])
        region = org.region_code if org else region
    if not region or not in_scope(actor, region):
        raise Invalid("只能为您负责区域内的人员或组织创建账号。", "region_code")
    return create_user(session, **fields)


def set_active(session: Session, actor: AppUser, user: AppUser, active: bool) -> AppUser:
    from ..errors import Forbidden

    if not administrable(session, actor, user):
        raise Forbidden("该账号不在您负责的行政区划内。")
    if user.id == actor.id and not active:
        raise Forbidden("不能停用自己的账号。")
    user.is_active = active
    session.flush()
    return user
