"""The public figures' window: the 12 calendar months up to and including the current one, in China's
calendar (Asia/Shanghai, volunteering/shifts.py LOCAL), and the last REACH_MONTHS months for the share of
flagged households reached (as the blind-spot report counts them: an entry after the day REACH_MONTHS
months before today)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, null

from ..reports.filters import months_before
from ..volunteering.shifts import LOCAL

MONTHS = 12
REACH_MONTHS = 6


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_of(number: int) -> date:
    year, month = divmod(number, 12)
    return date(year, month + 1, 1)


@dataclass(frozen=True)
class Window:
    months: tuple[str, ...]  # "YYYY-MM", oldest first
    first_day: date  # the first month's first day
    end_day: date  # the day after the last month (exclusive)
    firsts: tuple[date, ...]  # each month's first day and the day after the window (13 of them)
    starts: tuple[datetime, ...]  # the same, as UTC instants
    today: date  # in China
    reach_after: date  # entries after this day (up to today) reach a flagged household

    @classmethod
    def of(cls, now: datetime) -> "Window":
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        today = now.astimezone(LOCAL).date()
        last = _month_number(today)
        firsts = [_first_of(n) for n in range(last - MONTHS + 1, last + 2)]
        starts = tuple(datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC) for day in firsts)
        return cls(tuple(f"{day:%Y-%m}" for day in firsts[:-1]), firsts[0], firsts[-1], tuple(firsts), starts,
                   today, months_before(today, REACH_MONTHS))

    @property
    def start(self) -> datetime:
        return self.starts[0]

    @property
    def end(self) -> datetime:
        return self.starts[-1]

    def month_sql(self, column, *, dates: bool = False):
        """SQL: the index in `months` of a date (dates=True) or an instant, NULL outside the window or for
        NULL. Counted by the database, so a million rows come back as small integers, not dates to parse."""
        bounds = self.firsts if dates else self.starts
        return case((column < bounds[0], null()),
                    *((column < bound, n) for n, bound in enumerate(bounds[1:])), else_=null())

    def reaches_sql(self, day_column):
        return case(((day_column > self.reach_after) & (day_column <= self.today), 1), else_=0)
