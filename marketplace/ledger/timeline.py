"""A household's story on one line, newest first: chain entries (government aid, charity and volunteer
help, corrections), the needs staff posted for it and the claims taken on them, a page at a time."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlmodel import Session

from .. import paging
from ..auth.models import AppUser
from ..claims.models import Claim
from ..errors import Invalid
from ..i18n import _
from ..needs.models import Need
from ..organizations.models import Organization
from ..paging import Page, PageRequest
from ..vocabulary import CATEGORIES, CONFIRMATIONS, label
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
                raise Invalid(_("日期格式应为 YYYY-MM-DD：%(value)s", value=raw), name) from exc
        return cls(category if category in CATEGORIES else "", dates["from"], dates["to"])

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

    @property
    def confirmation(self) -> str | None:
        """How the household confirmed the aid of an entry verified on the platform (未经受助方确认 when it
        did not); None for entries that never asked (government aid, corrections, entries before issue 14)."""
        code = self.entry.confirmation if self.entry is not None else None
        return label(CONFIRMATIONS, code) if code else None


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _ts(value) -> datetime:
    """A moment comparable with any other (the database returns them aware, in UTC)."""
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Newest first: the day, then the moment, then the chain's own order; on a full tie an entry before a need
# before a claim, then the later row. Each source is read from SQL in this same order (see timeline).
_RANK = {"entry": 2, "need": 1, "claim": 0}


def _key(item: Item) -> tuple:
    row = item.entry or (item.need if item.kind == "need" else item.claim)
    return item.day, _ts(item.order[0]), item.order[1], _RANK[item.kind], row.id


def _posted():
    return func.coalesce(Need.published_at, Need.created_at)


def _moments(column, filters: TimelineFilters) -> list:
    """The filter's period on a timestamp column, by the day the page shows it on (its UTC date)."""
    conditions = []
    if filters.date_from:
        conditions.append(column >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        conditions.append(column < datetime.combine(filters.date_to + timedelta(days=1), time(), UTC))
    return conditions


def timeline(session: Session, household_id: int, filters: TimelineFilters,
             want: PageRequest = PageRequest()) -> tuple[Page, dict, dict]:
    """One page of items, newest first, plus the organisation and user names the page shows.

    The page is the merge of three sources (entries, needs, claims), each read in the merged order and cut
    at the page's end, so a household with thousands of entries costs what one page shows plus the pages
    before it, never its whole chain."""
    enough = want.offset + want.size + 1
    entry_where = [LedgerEntry.household_id == household_id]
    need_where = [Need.household_id == household_id]
    if filters.category:
        entry_where.append(LedgerEntry.category == filters.category)
        need_where.append(Need.category == filters.category)
    if filters.date_from:
        entry_where.append(LedgerEntry.occurred_on >= filters.date_from)
    if filters.date_to:
        entry_where.append(LedgerEntry.occurred_on <= filters.date_to)
    entries = session.scalars(select(LedgerEntry).where(*entry_where).limit(enough).order_by(
        LedgerEntry.occurred_on.desc(), LedgerEntry.created_at.desc(), LedgerEntry.seq.desc(), LedgerEntry.id.desc()))
    needs = session.scalars(select(Need).where(*need_where, *_moments(_posted(), filters))
                            .order_by(_posted().desc(), Need.id.desc()).limit(enough))
    claims = session.execute(select(Claim, Need).join(Need, Need.id == Claim.need_id)
                             .where(*need_where, *_moments(Claim.claimed_at, filters))
                             .order_by(Claim.claimed_at.desc(), Claim.id.desc()).limit(enough))
    items = [Item("entry", e.occurred_on, (e.created_at, e.seq), entry=e) for e in entries]
    items += [Item("need", _day(n.published_at or n.created_at), (n.published_at or n.created_at, 0), need=n)
              for n in needs]
    items += [Item("claim", c.claimed_at.date(), (c.claimed_at, 0), claim=c, need=n) for c, n in claims]
    items.sort(key=_key, reverse=True)
    page = paging.of_rows(items[want.offset:want.offset + want.size + 1], want)
    shown = [i.entry for i in page.items if i.kind == "entry"]
    _link_corrections(session, household_id, shown, page.items)

    org_ids = {e.organization_id for e in shown if e.organization_id}
    org_ids |= {i.claim.organization_id for i in page.items if i.kind == "claim" and i.claim.organization_id}
    user_ids = {e.verified_by_id for e in shown if e.verified_by_id} | {e.recorded_by_id for e in shown if e.recorded_by_id}
    user_ids |= {i.claim.claimant_id for i in page.items if i.kind == "claim"}
    orgs = dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids)))
                .all()) if org_ids else {}
    users = dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(user_ids)))
                 .all()) if user_ids else {}
    return page, orgs, users


def _link_corrections(session: Session, household_id: int, shown: list[LedgerEntry], items: list[Item]) -> None:
    """Each shown entry's corrected entry and its correction, wherever on the chain they are: one query
    through the household's index (corrects_id has none, and a correction sits on the same chain)."""
    wanted = {e.corrects_id for e in shown if e.corrects_id}
    ids = [e.id for e in shown]
    if not wanted and not ids:
        return
    related = session.scalars(select(LedgerEntry).where(
        LedgerEntry.household_id == household_id,
        or_(LedgerEntry.id.in_(wanted), LedgerEntry.corrects_id.in_(ids)))).all()
    by_id = {e.id: e for e in related}
    superseded = {e.corrects_id: e for e in related if e.corrects_id in ids}
    for item in items:
        if item.kind == "entry":
            item.corrects = by_id.get(item.entry.corrects_id)
            item.corrected_by = superseded.get(item.entry.id)


def chain_length(session: Session, household_id: int) -> int:
    """The household's number of chain entries: the last sequence number, read from its unique index."""
    return session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.household_id == household_id)) or 0
