"""趋势: needs posted and needs verified per calendar month (China's calendar), the last 12 months up to and
including the current one. One statement per measure with a conditional count per month, so the database
does the counting and the rows a page reads are twelve, whatever the size of the region."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from ..needs.models import Need, NeedHistory
from ..reports.filters import in_scope_of

CHINA = ZoneInfo("Asia/Shanghai")
MONTHS = 12


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    posted: int  # needs published that month
    verified: int  # needs whose fulfilment staff verified that month


def month_bounds(now: datetime, months: int = MONTHS) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) in UTC of each of the `months` calendar months ending with `now`'s month."""
    local = now.astimezone(CHINA)
    index = local.year * 12 + local.month - 1
    starts = []
    for i in range(index - months + 1, index + 2):
        year, month = divmod(i, 12)
        starts.append(datetime(year, month + 1, 1, tzinfo=CHINA))
    return [(f"{a:%Y-%m}", a.astimezone(UTC), b.astimezone(UTC)) for a, b in zip(starts, starts[1:], strict=False)]


def _per_month(column, bounds, counted=None):
    """One count per month of the rows whose `column` falls in it (`counted`: count its distinct values)."""
    if counted is None:
        return [func.sum(case((and_(column >= start, column < end), 1), else_=0)) for _m, start, end in bounds]
    return [func.count(func.distinct(case((and_(column >= start, column < end), counted))))
            for _m, start, end in bounds]


def _queries(prefix: str, bounds, group=None):
    """The two statements: posted (published_at) and verified (the history's step to 已核验) per month,
    with `group(region_code column)` as the first column and the grouping when given."""
    first, last = bounds[0][1], bounds[-1][2]
    posted = (select(*_per_month(Need.published_at, bounds))
              .where(in_scope_of(Need.region_code, prefix), Need.published_at >= first, Need.published_at < last))
    # A note left on a verified need repeats its status in the history: only the step into it counts.
    verified = (select(*_per_month(NeedHistory.at, bounds, NeedHistory.need_id))
                .join(Need, Need.id == NeedHistory.need_id)
                .where(NeedHistory.to_status == "verified",
                       or_(NeedHistory.from_status.is_(None), NeedHistory.from_status != "verified"),
                       NeedHistory.at >= first, NeedHistory.at < last, in_scope_of(Need.region_code, prefix)))
    if group is not None:
        posted = posted.add_columns(group(Need.region_code)).group_by(group(Need.region_code))
        verified = verified.add_columns(group(Need.region_code)).group_by(group(Need.region_code))
    return posted, verified


def monthly(session: Session, prefix: str, now: datetime, months: int = MONTHS) -> list[Month]:
    """Needs of the division `prefix` posted and verified in each month, oldest month first."""
    bounds = month_bounds(now, months)
    posted, verified = (session.execute(q).one() for q in _queries(prefix, bounds))
    return [Month(month, int(p or 0), int(v or 0))
            for (month, _s, _e), p, v in zip(bounds, posted, verified, strict=True)]


def monthly_by_place(session: Session, prefix: str, now: datetime, group) -> dict[str, tuple[tuple, tuple]]:
    """The same per place (`group` of the need's region code): place -> (posted per month, verified per month)."""
    bounds = month_bounds(now)
    posted, verified = (dict((row[-1], tuple(int(n or 0) for n in row[:-1])) for row in session.execute(q))
                        for q in _queries(prefix, bounds, group))
    empty = (0,) * len(bounds)
    return {place: (posted.get(place, empty), verified.get(place, empty)) for place in set(posted) | set(verified)}


def months_of(now: datetime, posted, verified) -> list[Month]:
    return [Month(month, p, v) for (month, _s, _e), p, v in zip(month_bounds(now, len(posted)), posted, verified,
                                                                strict=True)]


def bar_scale(rows: list[Month]) -> int:
    """The largest monthly figure: bars are drawn relative to it."""
    return max((max(r.posted, r.verified) for r in rows), default=0) or 1
