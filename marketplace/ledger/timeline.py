"""A household's story on one line, newest first: chain entries (government aid, charity and volunteer
help, corrections), the needs staff posted for it and the claims taken on them."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..errors import Invalid
from ..needs.models import Need
from ..organizations.models import Organization
from ..vocabulary import CATEGORIES
from .models import LedgerEntry


@dataclass(frozen=True)
class TimelineFilters:
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> "TimelineFilters":
        category = args.get("category", "")
        dates = {}
        for name in ("from", "to"):
            raw = (args.get(name) or "").strip()
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError as exc:
                raise Invalid(f"日期格式应为 YYYY-MM-DD：{raw}", name) from exc
        return cls(category if category in CATEGORIES else "", dates["from"], dates["to"])

    def keeps(self, category: str, day: date) -> bool:
        return ((not self.category or category == self.category)
                and (self.date_from is None or day >= self.date_from)
                and (self.date_to is None or day <= self.date_to))

    @property
    def active(self) -> bool:
        return bool(self.category or self.date_from or self.date_to)


@dataclass
class Item:
    kind: str  # entry | need | claim
    day: date
    order: tuple  # ties on one day: later events first
    entry: LedgerEntry | None = None
    need: Need | None = None
    claim: Claim | None = None
    corrects: LedgerEntry | None = None
    corrected_by: LedgerEntry | None = None


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def timeline(session: Session, household_id: int, filters: TimelineFilters) -> tuple[list[Item], dict, dict]:
    """Items newest first, plus organization and user names for display."""
    entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.household_id == household_id)))
    by_id = {e.id: e for e in entries}
    superseded = {e.corrects_id: e for e in entries if e.corrects_id}
    needs = {n.id: n for n in session.scalars(select(Need).where(Need.household_id == household_id))}
    claims = list(session.scalars(select(Claim).where(Claim.need_id.in_(needs)))) if needs else []

    items = []
    for e in entries:
        if filters.keeps(e.category, e.occurred_on):
            items.append(Item("entry", e.occurred_on, (e.created_at, e.seq), entry=e,
                              corrects=by_id.get(e.corrects_id), corrected_by=superseded.get(e.id)))
    for n in needs.values():
        day = _day(n.published_at or n.created_at)
        if filters.keeps(n.category, day):
            items.append(Item("need", day, (n.published_at or n.created_at, 0), need=n))
    for c in claims:
        need = needs[c.need_id]
        if filters.keeps(need.category, c.claimed_at.date()):
            items.append(Item("claim", c.claimed_at.date(), (c.claimed_at, 0), claim=c, need=need))
    items.sort(key=lambda i: (i.day, _ts(i.order[0]), i.order[1]), reverse=True)

    org_ids = {e.organization_id for e in entries if e.organization_id}
    org_ids |= {c.organization_id for c in claims if c.organization_id}
    orgs = {o.id: o.name for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
    user_ids = {e.verified_by_id for e in entries if e.verified_by_id}
    user_ids |= {e.recorded_by_id for e in entries if e.recorded_by_id} | {c.claimant_id for c in claims}
    users = {u.id: u.display_name for u in session.scalars(select(AppUser).where(AppUser.id.in_(user_ids)))}
    return items, orgs, users


def _ts(value) -> float:
    if value is None:
        return 0.0
    return value.timestamp() if isinstance(value, datetime) else 0.0
