"""Who may do what, and where. Every check returns the object or raises Forbidden/NotFound."""

from sqlalchemy import and_, false

from ..errors import Forbidden, NotFound
from ..i18n import N_, _
from ..vocabulary import STAFF_DUTIES, label


def scope_prefix(region_code: str) -> str:
    """The code prefix shared by every division inside `region_code` (GB/T 2260 + statistical codes)."""
    if len(region_code) == 6:
        if region_code.endswith("0000"):
            return region_code[:2]
        if region_code.endswith("00"):
            return region_code[:4]
    return region_code


def in_scope_sql(user, column):
    """`in_scope` as a condition on a region-code column, for the queries of bulk paths and lists."""
    return within_sql(column, user.region_code)


def within_sql(column, region_code: str | None):
    """`column` lies in the subtree of `region_code`. A code range, not LIKE 'prefix%': SQLite's LIKE
    ignores case and so never uses the column's index."""
    prefix = scope_prefix(region_code or "")
    if not prefix.isdigit():
        return false()
    if set(prefix) == {"9"}:
        return column >= prefix  # every digit string from '99' up starts with '99'
    return and_(column >= prefix, column < str(int(prefix) + 1).zfill(len(prefix)))  # '3416' <= code < '3417'


def in_scope(user, region_code: str | None) -> bool:
    return bool(user.region_code and region_code and region_code.startswith(scope_prefix(user.region_code)))


def require_role(user, *roles: str):
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in roles:
        raise Forbidden(_("您的账号没有执行此操作的权限。"))
    if not user.is_active:
        raise Forbidden(_("您的账号已停用。"))
    return user


def require_duty(user, duty: str):
    """Staff holding `duty` (vocabulary.STAFF_DUTIES). Services call it as well as the route's @permission,
    because CLI and bulk paths reach them without a route."""
    require_role(user, "staff")
    if not user.has_duty(duty):
        raise Forbidden(_("您没有「%(duty)s」职责，不能执行此操作。请联系账号管理员。", duty=label(STAFF_DUTIES, duty)))
    return user


def require_staff_for(user, region_code: str, duty: str | None = None):
    """Staff whose region subtree contains `region_code` (and who hold `duty`, when the act needs one)."""
    require_role(user, "staff")
    if duty is not None:
        require_duty(user, duty)
    if not in_scope(user, region_code):
        raise Forbidden(_("该户不在您负责的行政区划内。"))
    return user


def found(obj, what: str = N_("记录")):
    """`what` names the object kind, a Chinese name marked with N_ by the caller and translated here."""
    if obj is None:
        raise NotFound(_("%(what)s不存在。", what=_(what)))
    return obj
