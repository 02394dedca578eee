"""What every report is filtered by: a region inside the staff member's scope and a period."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlmodel import Session

from ..auth.access import in_scope, require_role, scope_prefix
from ..errors import Forbidden, Invalid
from ..i18n import _
from ..inputs import int_arg, whole_number
from ..regions.models import Region

DEFAULT_MONTHS = 6


def code_range(column, prefix: str):
    """`column` starts with `prefix`, as a range the column's index answers on SQLite and PostgreSQL
    (LIKE 'p%' uses no index on SQLite unless case_sensitive_like is on)."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return and_(column >= prefix, column < upper)


def in_scope_of(column, prefix: str):
    """`column` lies inside the division `prefix`. A prefecture or province (prefix of 2 or 4 digits) covers
    most rows of a deployment: reading the table in order then beats an index range that visits every row
    in index order, which SQLite would choose; wrapping the column keeps the index out of it. For counties
    and below the index range is the fast path. (PostgreSQL chooses by its statistics either way.)"""
    if len(prefix) <= 4:
        column = func.coalesce(column, "")
    return code_range(column, prefix)


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):  # 31 March minus one month is the last day of February
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ReportFilters:
    region: str  # a division code; the staff member's own region when none was chosen
    date_from: date
    date_to: date
    months: int = DEFAULT_MONTHS
    page: int = 1

    @property
    def prefix(self) -> str:
        return scope_prefix(self.region)

    def args(self, **override) -> dict:
        values = {"region": self.region, "from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                  "months": self.months}
        values.update(override)
        return values

    @classmethod
    def parse(cls, actor, args, today: date | None = None) -> "ReportFilters":
        """Staff only; a region outside the actor's scope is refused, bad dates are reported by name."""
        require_role(actor, "staff")
        today = today or date.today()
        region = (args.get("region") or "").strip() or actor.region_code
        if not (region.isdigit() and len(region) in (6, 9, 12)):
            raise Invalid(_("地区代码无效。"), "region")
        if not in_scope(actor, region):
            raise Forbidden(_("所选地区不在您负责的行政区划内。"))
        date_to = _date(args.get("to"), today, "to")
        date_from = _date(args.get("from"), _year_before(date_to), "from")
        if date_from > date_to:
            raise Invalid(_("开始日期不能晚于结束日期。"), "from")
        months = args.get("months", str(DEFAULT_MONTHS))
        months = whole_number(str(months), "months", low=1, high=60, label=_("月数"))
        page = int_arg(args, "page", 1)
        return cls(region, date_from, date_to, int(months), page)

    @classmethod
    def default(cls, region: str, today: date) -> "ReportFilters":
        """What the page shows for `region` when nothing else is chosen (parse with no arguments)."""
        return cls(region, _year_before(today), today)


def _year_before(day: date) -> date:
    return months_before(day, 12) + timedelta(days=1)


def _date(raw: str | None, default: date, name: str) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(_("日期格式应为 YYYY-MM-DD：%(value)s", value=raw), name) from exc


def region_choices(session: Session, actor) -> list[Region]:
    """Counties and townships inside the actor's scope (plus the scope itself), for the region select."""
    prefix = scope_prefix(actor.region_code)
    query = (select(Region).where(code_range(Region.code, prefix), Region.level.in_(("county", "township")))
             .order_by(Region.code))
    regions = list(session.scalars(query))
    own = session.get(Region, actor.region_code)
    if own is not None and own not in regions:
        regions.insert(0, own)
    return regions
