"""The duplicate check: aid being planned for a household, compared with its chain (verified charity aid
and imported government aid) and with its live needs (open to submitted: aid planned but not yet
verified counts too), under the category's rule (rules.py).

A fact a rule compares may be missing on one side; the check then assumes what is safest rather than
staying silent: a chain entry without a period covers the day it occurred, a need without one the span
from posting to its deadline, and an unnamed member is the whole household (it matches any member).
A match found on assumptions is soft (a warning); one whose facts were all stated on both sides, against
verified aid on the chain, is *exact*: a charity cannot claim an exact duplicate.

Fast by construction: one household, one category, two round trips (the rule; the chain and live
needs in one UNION ALL over indexed lookups), plus organization names only when something matched."""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, String, cast, func, literal_column, null, or_, select, union_all
from sqlmodel import Session

from ..errors import Conflict
from ..i18n import _, day, is_english
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs.models import Need
from ..organizations.models import Organization
from ..vocabulary import CATEGORIES, NEED_STATUSES, label
from . import goods_kinds, rules

LIVE_STATUSES = ("open", "claimed", "in_progress", "submitted")
EMERGENCY_TITLE = "临时救助"
MAX_LISTED = 5


def normalise_item(text: str | None) -> str | None:
    """电暖器 and " 电暖器 " and 'Electric Heater' vs 'electric heater' are the same item."""
    text = re.sub(r"[\s\u3000]+", "", text or "").casefold()
    return text or None


@dataclass(frozen=True)
class Proposed:
    """Aid being planned: a need about to be posted, or one a charity is about to claim."""

    category: str
    period_start: date | None = None
    period_end: date | None = None
    member_ref: str | None = None
    item_key: str | None = None
    deadline: date | None = None
    organization_id: int | None = None  # the provider, once known (claiming)
    exclude_need_id: int | None = None

    @classmethod
    def of_need(cls, need: Need, **extra) -> "Proposed":
        # A goods need posted before items were derived from titles is compared by its title's kind.
        item = need.item_key or (goods_kinds.kind_of(need.title) if "goods" in (need.category, need.form) else None)
        return cls(category=need.category, period_start=need.period_start, period_end=need.period_end,
                   member_ref=need.member_ref, item_key=item, deadline=need.deadline, **extra)


@dataclass(frozen=True)
class Match:
    """What matched, as facts; `what`, `who` and `when` are written in the reader's language when read, so
    text kept in the database can be written in Chinese (`with force_locale("zh_CN"): describe(matches)`)."""

    title: str
    category: str
    exact: bool
    on: date  # when a chain entry occurred, or a need's deadline
    start: date | None = None  # a period both sides stated
    end: date | None = None
    source: str | None = None  # a chain entry's source, or a need's status
    provider: str | None = None  # a chain entry's organisation
    member_ref: str | None = None
    entry_id: int | None = None
    need_id: int | None = None

    @property
    def what(self) -> str:  # title · category
        return f"{self.title} · {label(CATEGORIES, self.category)}"

    @property
    def who(self) -> str:  # 政府, an organisation or 志愿者 (and the member), or the need's state
        if self.entry_id is None:
            return _("本平台需求（%(status)s）", status=label(NEED_STATUSES, self.source))
        who = _("政府") if self.source == "government" else self.provider or _("志愿者")
        return _("%(who)s（%(member)s）", who=who, member=self.member_ref) if self.member_ref else who

    @property
    def when(self) -> str:  # a date or a period
        if self.start is not None:
            return _("%(start)s至%(end)s", start=day(self.start), end=day(self.end))
        return day(self.on) if self.entry_id is not None else _("截止%(deadline)s", deadline=day(self.on))

    @property
    def order(self) -> str:
        """The sort key: `when` as Chinese with ISO dates (a period before its start day, a deadline last)."""
        if self.start is not None:
            return f"{self.start.isoformat()}至{self.end.isoformat()}"
        return self.on.isoformat() if self.entry_id is not None else f"截止{self.on.isoformat()}"

    def describe(self) -> str:
        return _("%(when)s %(who)s「%(what)s」", when=self.when, who=self.who, what=self.what)


class DuplicateWarning(Conflict):
    """Posting would duplicate aid already given or planned; staff may post anyway with a reason."""

    def __init__(self, matches: list[Match]):
        super().__init__(_("该户已有可能重复的帮扶：%(matches)s。如确需发布，请填写一事一议理由。",
                           matches=describe(matches)), "override_reason")
        self.matches = matches


def describe(matches: list[Match]) -> str:
    listed = ("; " if is_english() else "；").join(m.describe() for m in matches[:MAX_LISTED])
    if len(matches) > MAX_LISTED:
        return _("%(listed)s等%(count)s条", listed=listed, count=len(matches))
    return listed


@dataclass
class _Fact:
    start: date
    end: date
    day: date
    stated_period: bool
    member: str | None
    item: str | None
    organization_id: int | None
    chain: bool
    row: object = field(repr=False)


def check(session: Session, household, proposed: Proposed, today: date | None = None) -> list[Match]:
    today = today or date.today()
    rule = rules.rule_for(session, proposed.category)
    if not rule.active or rule.kind == "none":
        return []
    mine = _Fact(start=proposed.period_start or today, end=proposed.period_end or proposed.deadline or today,
                 day=proposed.period_start or today, stated_period=proposed.period_start is not None,
                 member=proposed.member_ref, item=normalise_item(proposed.item_key),
                 organization_id=proposed.organization_id, chain=False, row=None)
    found = []
    for fact in _facts(session, household.id, rule, proposed, today):
        hit, exact = _compare(rule, mine, fact, today)
        if hit:
            found.append((fact, exact and fact.chain and rule.kind not in rules.WARN_ONLY))
    return _matches(session, found)


def _facts(session: Session, household_id: int, rule, proposed: Proposed, today: date) -> list[_Fact]:
    """The household's effective chain entries (a line of corrections by its latest entry, with the figures
    and category it now has; voided aid not at all) and live needs the rule looks at, in one round trip (UNION ALL of
    plain columns: on PostgreSQL the round trips, not the indexed lookups, are most of the check's time)."""
    entries = select(literal_column("'chain'", String).label("origin"), LedgerEntry.id, LedgerEntry.category,
                     LedgerEntry.title, LedgerEntry.source.label("state"), LedgerEntry.occurred_on.label("day"),
                     cast(null(), Need.created_at.type).label("posted"), LedgerEntry.period_start,
                     LedgerEntry.period_end, LedgerEntry.member_ref, LedgerEntry.item_key, LedgerEntry.organization_id,
                     ).where(LedgerEntry.household_id == household_id, effective.is_effective())
    if rule.kind == "government_recent":
        query = entries.where(LedgerEntry.source == "government", or_(
            LedgerEntry.category == "emergency", LedgerEntry.title.contains(EMERGENCY_TITLE)))
    else:
        needs = select(literal_column("'need'", String), Need.id, Need.category, Need.title, Need.status, Need.deadline,
                       func.coalesce(Need.published_at, Need.created_at), Need.period_start, Need.period_end,
                       Need.member_ref, Need.item_key, cast(null(), Integer),
                       ).where(Need.household_id == household_id, Need.category == proposed.category,
                               Need.status.in_(LIVE_STATUSES))
        if proposed.exclude_need_id is not None:
            needs = needs.where(Need.id != proposed.exclude_need_id)
        query = union_all(entries.where(LedgerEntry.category == proposed.category), needs)
    facts = []
    for r in session.execute(query):
        if r.origin == "chain":
            facts.append(_Fact(start=r.period_start or r.day, end=r.period_end or r.period_start or r.day,
                               day=r.period_start or r.day, stated_period=r.period_start is not None,
                               member=r.member_ref, item=normalise_item(r.item_key),
                               organization_id=r.organization_id, chain=True, row=r))
        else:
            posted = r.posted.date()
            facts.append(_Fact(start=r.period_start or posted, end=r.period_end or r.day,
                               day=r.period_start or posted, stated_period=r.period_start is not None,
                               member=r.member_ref, item=normalise_item(r.item_key), organization_id=None,
                               chain=False, row=r))
    return facts


def _compare(rule, mine: _Fact, other: _Fact, today: date) -> tuple[bool, bool]:
    """(matches, exact) under the rule's kind."""
    overlap = mine.start <= other.end and other.start <= mine.end
    stated = mine.stated_period and other.stated_period
    if rule.kind == "member_period":
        same_member = mine.member is None or other.member is None or mine.member == other.member
        return overlap and same_member, stated and mine.member is not None and mine.member == other.member
    if rule.kind == "provider_overlap":
        other_provider = (mine.organization_id is None or other.organization_id is None
                          or mine.organization_id != other.organization_id)
        return overlap and other_provider, stated and mine.organization_id is not None
    if rule.kind == "household_window":
        return abs((mine.day - other.day).days) < rule.window_days, True
    if rule.kind == "item_window":
        # Compared by goods kind (goods_kinds.py); aid recorded without an 物品 value by its title's kind.
        theirs = other.item or goods_kinds.kind_of(getattr(other.row, "title", None))
        same, exact = goods_kinds.same_goods(mine.item, theirs)
        return same and abs((mine.day - other.day).days) < rule.window_days, exact
    if rule.kind == "government_recent":
        return 0 <= (today - other.day).days < rule.window_days, False
    return False, False


def _matches(session: Session, found: list[tuple[_Fact, bool]]) -> list[Match]:
    if not found:
        return []
    org_ids = {f.organization_id for f, _exact in found if f.organization_id}
    names = dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))).all()) \
        if org_ids else {}
    result = []
    for fact, exact in found:
        row = fact.row
        # row.day is when a chain entry occurred, or a need's deadline; row.state its source or status.
        period = {"start": fact.start, "end": fact.end} if fact.stated_period else {}
        if fact.chain:
            result.append(Match(row.title, row.category, exact, fact.day, **period, source=row.state,
                                provider=names.get(row.organization_id), member_ref=row.member_ref,
                                entry_id=row.id))
        else:
            result.append(Match(row.title, row.category, exact, row.day, **period, source=row.state, need_id=row.id))
    result.sort(key=lambda m: m.order, reverse=True)
    return result
