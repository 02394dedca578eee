"""悬崖效应: aid per household by tier over a period. Aid piles up on 低保/特困 households while the
near-poor just above the line (低保边缘, 刚性支出困难) get little; this report puts numbers on the drop."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..registry.models import Household
from ..vocabulary import TIERS
from .filters import ReportFilters, in_scope_of


@dataclass(frozen=True)
class TierAid:
    tier: str
    households: int
    entries: int
    amount_fen: int
    hours: float

    @property
    def amount_per_household(self) -> float:
        """In yuan."""
        return self.amount_fen / 100 / self.households if self.households else 0.0

    @property
    def entries_per_household(self) -> float:
        return self.entries / self.households if self.households else 0.0


def aid_by_tier(session: Session, filters: ReportFilters) -> list[TierAid]:
    """Per tier: active households in the region, and the aid their chains received in the period.
    Every tier is listed, even with no households, so the chart's rows never shift."""
    households = dict(session.execute(
        select(Household.tier, func.count())
        .where(Household.status == "active", in_scope_of(Household.region_code, filters.prefix))
        .group_by(Household.tier)
    ).all())
    aid_query = (
        select(Household.tier, func.count(LedgerEntry.id), func.coalesce(func.sum(LedgerEntry.amount_fen), 0),
               func.coalesce(func.sum(LedgerEntry.hours), 0))
        .join(Household, Household.id == LedgerEntry.household_id)
        .where(Household.status == "active", in_scope_of(LedgerEntry.region_code, filters.prefix),
               LedgerEntry.occurred_on >= filters.date_from, LedgerEntry.occurred_on <= filters.date_to,
               effective.is_effective())
        .group_by(Household.tier)
    )
    aid = {tier: (n, int(amount), float(hours)) for tier, n, amount, hours in session.execute(aid_query)}
    return [TierAid(tier, households.get(tier, 0), *aid.get(tier, (0, 0, 0.0))) for tier in TIERS]


def bar_scale(rows: list[TierAid]) -> float:
    """The largest per-household amount: bars are drawn relative to it."""
    return max((row.amount_per_household for row in rows), default=0.0) or 1.0


INSIDE = ("dibao", "tekun")  # inside the line: aid piles up here
EDGE = ("marginal", "rigid_expense")  # just above it: the cliff


@dataclass(frozen=True)
class Gap:
    inside: float  # yuan per household, 低保 and 特困 together
    edge: float  # yuan per household, 低保边缘 and 刚性支出困难 together

    @property
    def ratio(self) -> float | None:
        return self.inside / self.edge if self.edge else None


def gap(rows: list[TierAid]) -> Gap:
    def per_household(tiers):
        chosen = [r for r in rows if r.tier in tiers]
        households = sum(r.households for r in chosen)
        return sum(r.amount_fen for r in chosen) / 100 / households if households else 0.0

    return Gap(per_household(INSIDE), per_household(EDGE))
