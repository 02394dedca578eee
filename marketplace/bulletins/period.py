"""A bulletin's month: a calendar month in China's calendar (Asia/Shanghai), as the public figures and the
staff dashboard count them. Timestamps are compared in UTC, chain entries by their date."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_KEY = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Month:
    first: date  # the month's first day

    @classmethod
    def of(cls, value: "date | str | Month") -> "Month":
        if isinstance(value, Month):
            return value
        if isinstance(value, str):
            found = parse(value)
            if found is None:
                raise ValueError(f"not a month (YYYY-MM): {value!r}")
            return found
        return cls(value.replace(day=1))

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def next_first(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def last(self) -> date:
        return self.next_first - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The month's first instant, in UTC."""
        return _utc(self.first)

    @property
    def end(self) -> datetime:
        """The next month's first instant, in UTC (exclusive)."""
        return _utc(self.next_first)

    @property
    def previous(self) -> "Month":
        return Month((self.first - timedelta(days=1)).replace(day=1))

    def contains(self, moment: datetime) -> bool:
        return self.start <= aware(moment) < self.end


def parse(text: str | None) -> Month | None:
    """YYYY-MM with a real month (2000 to 2999), else None: URLs and the command line read it the same."""
    found = _KEY.fullmatch((text or "").strip())
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return None
    return Month(date(year, month, 1))


def local_today(now: datetime | None = None) -> date:
    return aware(now or datetime.now(UTC)).astimezone(CHINA).date()


def last_month(today: date | None = None) -> Month:
    """The month before `today`'s (China's calendar): what the worker reports on from the 1st."""
    return Month.of(today or local_today()).previous


def aware(value: datetime) -> datetime:
    """SQLite returns the stored UTC timestamps without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
