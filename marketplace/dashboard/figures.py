"""The dashboard's report figures: needs unclaimed for over 14 days, the blind-spot count, the cliff ratio and
the monthly trend. Counting them live reads a region's registry and a year of its chain, so they come from
the worker's report snapshots (reports/snapshots.py) while one is fresh:
- a county or wider: the sections the reports page reads (the head row's total of `unclaimed` and
  `blind_spots`, the `cliff` rows) and the dashboard's `trend`;
- a township: its row of its county's `townships` section (places.py).
Anything else (a village, or no fresh snapshot) is counted live, as the reports page does."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from ..reports import blind_spots, cliff, snapshots
from ..reports.filters import ReportFilters
from . import places, trend


@dataclass(frozen=True)
class Figures:
    filters: ReportFilters  # the reports page's default filters for the region
    unclaimed: int
    blind_spots: int
    gap: cliff.Gap  # aid per household inside the line and just above it
    months: list[trend.Month]
    computed_at: dict[str, datetime] = field(default_factory=dict)  # section -> when, for snapshot figures

    @property
    def cliff_percent(self) -> float | None:
        """Aid per household of the near-poor (低保边缘, 刚性支出困难) as a share of that of households inside
        the line (低保, 特困); None when those received nothing."""
        return 100 * self.gap.edge / self.gap.inside if self.gap.inside else None

    @property
    def oldest(self) -> datetime | None:
        return min(self.computed_at.values()) if self.computed_at else None


def figures(session: Session, region_code: str, *, now: datetime, today: date,
            max_age: timedelta | None) -> Figures:
    """`max_age` None: always live (snapshots are off). `today` must be the day the worker's targets use
    (date.today()): a snapshot is found by the default filters' key."""
    filters = ReportFilters.default(region_code, today)
    prefix = filters.prefix
    if max_age is not None and len(prefix) <= 6:
        return _county_or_wider(session, filters, now, max_age)
    if max_age is not None and len(prefix) == 9:
        stored = snapshots.read(session, ReportFilters.default(prefix[:6], today), "townships", now=now,
                                max_age=max_age)
        if stored is not None:
            # No row: nothing in the township to count (the section lists every place with anything).
            row = next((t for t in stored.rows if t.code == prefix), None) or places.Township(
                prefix, 0, 0, (), (0,) * trend.MONTHS, (0,) * trend.MONTHS)
            return Figures(filters, row.unclaimed, row.blind_spots, cliff.gap(row.tier_aid()),
                           trend.months_of(stored.computed_at, row.posted, row.verified),
                           {"townships": stored.computed_at})
    return live(session, filters, now)


def live(session: Session, filters: ReportFilters, now: datetime) -> Figures:
    return Figures(filters, blind_spots.unclaimed_needs(session, filters, now=now, limit=1)[1],
                   blind_spots.blind_spots(session, filters, per_page=1)[1],
                   cliff.gap(cliff.aid_by_tier(session, filters)), trend.monthly(session, filters.prefix, now))


def _county_or_wider(session: Session, filters: ReportFilters, now: datetime, max_age: timedelta) -> Figures:
    """Each figure from its section while fresh, else live: a section the worker has not stored yet (one
    added since its last round) does not send the others back to live counting."""
    computed: dict[str, datetime] = {}

    def stored(section: str, stop: int | None) -> snapshots.Stored | None:
        found = snapshots.read(session, filters, section, now=now, max_age=max_age, start=0, stop=stop)
        if found is not None:
            computed[section] = found.computed_at
        return found

    # stop=0: the head row alone, which holds the total.
    unclaimed = stored("unclaimed", 0)
    spots = stored("blind_spots", 0)
    tiers = stored("cliff", None)
    months = stored("trend", None)
    return Figures(
        filters,
        unclaimed.total if unclaimed is not None else blind_spots.unclaimed_needs(session, filters, now=now, limit=1)[1],
        spots.total if spots is not None else blind_spots.blind_spots(session, filters, per_page=1)[1],
        cliff.gap(tiers.rows if tiers is not None else cliff.aid_by_tier(session, filters)),
        months.rows if months is not None else trend.monthly(session, filters.prefix, now),
        computed)

