"""Whose bulletins a staff member reads: those of the divisions inside their scope (a prefecture's staff read
the prefecture's and its counties'), and a township's staff their county's, which is mailed to them. Anything
else answers as a bulletin that does not exist."""

from sqlalchemy import or_

from ..auth.access import in_scope, require_role, within_sql
from ..errors import NotFound
from ..i18n import _
from .models import MonthlyBulletin


def home_county(actor) -> str | None:
    """The county of a township or village staff member (whose own scope lies inside it)."""
    code = actor.region_code or ""
    return code[:6] if len(code) > 6 else None


def may_read(actor, region_code: str) -> bool:
    return in_scope(actor, region_code) or region_code == home_county(actor)


def readable(actor):
    """SQL: the bulletins `actor` may read."""
    require_role(actor, "staff")
    own = within_sql(MonthlyBulletin.region_code, actor.region_code)
    county = home_county(actor)
    return or_(own, MonthlyBulletin.region_code == county) if county else own


def check(actor, region_code: str) -> None:
    require_role(actor, "staff")
    if not may_read(actor, region_code):
        raise NotFound(_("没有找到该地区该月的通报。"))
