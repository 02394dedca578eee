"""悬崖效应: aid per household by tier over a period. Aid piles up on 低保/特困 households while the
near-poor just above the line (低保边缘, 刚性支出困难) get little; this report puts numbers on the drop."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..organizations.models import Organization
from ..purchases.funding import effective_sql
from ..registry.models import Household
from ..vocabulary import FUNDING, TIERS
from .filters import ReportFilters, in_scope_of


@dataclass(frozen=True)
class TierAid:
    tier: str
    households: int
    entries: int
    amount_fen: int
    hours: float
    # (funding, entries, amount_fen, hours) per funding source (vocabulary.FUNDING) that gave the tier aid,
    # in the vocabulary's order: 财政资金 beside 慈善资金 shows who fills or leaves the cliff.
    by_funding: tuple[tuple[str, int, int, float], ...] = ()

    def funded(self, funding: str) -> tuple[int, int, float]:
        """(entries, amount_fen, hours) from one funding source."""
        for code, entries, amount, hours in self.by_funding:
            if code == funding:
                return entries, amount, hours
        return 0, 0, 0.0

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
    funding = effective_sql(LedgerEntry, Organization.kind)
    aid_query = (
        select(Household.tier, funding, func.count(LedgerEntry.id), func.coalesce(func.sum(LedgerEntry.amount_fen), 0),
               func.coalesce(func.sum(LedgerEntry.hours), 0))
        .join(Household, Household.id == LedgerEntry.household_id)
        .outerjoin(Organization, Organization.id == LedgerEntry.organization_id)
        .where(Household.status == "active", in_scope_of(LedgerEntry.region_code, filters.prefix),
               LedgerEntry.occurred_on >= filters.date_from, LedgerEntry.occurred_on <= filters.date_to,
               effective.is_effective())
        .group_by(Household.tier, funding)
    )
    aid: dict[str, dict[str, tuple[int, int, float]]] = {}
    for tier, source, n, amount, hours in session.execute(aid_query):
        aid.setdefault(tier, {})[source] = (n, int(amount), float(hours))
    rows = []
    for tier in TIERS:
        parts = aid.get(tier, {})
        by_funding = tuple((code, *parts[code]) for code in FUNDING if code in parts)
        rows.append(TierAid(tier, households.get(tier, 0), sum(p[1] for p in by_funding),
                            sum(p[2] for p in by_funding), sum(p[3] for p in by_funding), by_funding))
    return rows


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
