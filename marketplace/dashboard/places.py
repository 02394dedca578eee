"""The dashboard's report figures for each township of a county, precomputed with the county's report
snapshot (reports/snapshots.py section "townships"), so a township clerk's dashboard reads one stored row
instead of counting blind spots and a year of chain entries live: in a township of 10,000 households that
takes about 300 ms, three times a staff page's budget.

Each figure is the same query as the county's own figure, grouped by township (the first 9 digits of the
region code), so a township's row equals what the live functions give for that township: needs unclaimed
for over 14 days (reports/blind_spots.py), blind spots (the same query), the cliff's households and amounts
per tier (reports/cliff.py) and the monthly trend (trend.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, literal_column, select
from sqlmodel import Session

from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs.models import Need
from ..registry.models import Household
from ..reports.blind_spots import UNCLAIMED_DAYS, _blind_spot_query
from ..reports.cliff import TierAid
from ..reports.filters import ReportFilters, code_range, in_scope_of
from . import trend


@dataclass(frozen=True)
class Township:
    code: str  # 9 digits (or the code itself, for the few records kept at county level)
    unclaimed: int
    blind_spots: int
    tiers: tuple[tuple[str, int, int], ...]  # (tier, active households, effective aid in fen over the period)
    posted: tuple[int, ...]  # per month of trend.month_bounds(computed_at)
    verified: tuple[int, ...]

    def tier_aid(self) -> list[TierAid]:
        """As cliff.aid_by_tier's rows, for cliff.gap: households and amounts (entries and hours are not kept)."""
        return [TierAid(tier, households, 0, amount, 0.0) for tier, households, amount in self.tiers]


def _place(column):
    """The township of a region code. Constants written into the SQL, not parameters: PostgreSQL groups by
    an expression only when the one in the SELECT list is the same text, parameters included."""
    return func.substr(column, literal_column("1"), literal_column("9"))


def townships(session: Session, filters: ReportFilters, now: datetime) -> list[Township]:
    """A row per township of a county's default filters with anything to show; none for wider scopes (a
    township clerk reads the row of their own county's snapshot)."""
    prefix = filters.prefix
    if len(prefix) != 6:
        return []
    unclaimed = dict(session.execute(
        select(_place(Need.region_code), func.count())
        .where(Need.status == "open", Need.published_at < now - timedelta(days=UNCLAIMED_DAYS),
               code_range(Need.region_code, prefix)).group_by(_place(Need.region_code))).all())
    spots = _blind_spot_query(filters).subquery()
    blind = dict(session.execute(select(_place(spots.c.region_code), func.count())
                                 .group_by(_place(spots.c.region_code))).all())
    tiers: dict[str, dict[str, list[int]]] = {}
    for place, tier, households in session.execute(
            select(_place(Household.region_code), Household.tier, func.count())
            .where(Household.status == "active", in_scope_of(Household.region_code, prefix))
            .group_by(_place(Household.region_code), Household.tier)):
        tiers.setdefault(place, {})[tier] = [households, 0]
    for place, tier, amount in session.execute(
            select(_place(LedgerEntry.region_code), Household.tier, func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
            .join(Household, Household.id == LedgerEntry.household_id)
            .where(Household.status == "active", in_scope_of(LedgerEntry.region_code, prefix),
                   LedgerEntry.occurred_on >= filters.date_from, LedgerEntry.occurred_on <= filters.date_to,
                   effective.is_effective())
            .group_by(_place(LedgerEntry.region_code), Household.tier)):
        tiers.setdefault(place, {}).setdefault(tier, [0, 0])[1] = int(amount)
    months = trend.monthly_by_place(session, prefix, now, _place)
    empty = (0,) * trend.MONTHS
    places = sorted(set(unclaimed) | set(blind) | set(tiers) | set(months))
    return [Township(code, unclaimed.get(code, 0), blind.get(code, 0),
                     tuple((tier, *figures) for tier, figures in sorted(tiers.get(code, {}).items())),
                     *months.get(code, (empty, empty))) for code in places]


def encode(t: Township) -> list:
    return [t.code, t.unclaimed, t.blind_spots, [list(x) for x in t.tiers], list(t.posted), list(t.verified)]


def decode(row: list) -> Township:
    return Township(row[0], row[1], row[2], tuple(tuple(x) for x in row[3]), tuple(row[4]), tuple(row[5]))
