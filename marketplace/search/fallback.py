"""The same search answered by the database, for when the index is missing or unreadable: slower on a
large province, but never a 500 and never a different set of needs. Words match the title or the
description (or a synonym does); there are no spelling suggestions without the index."""

from collections import Counter

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from ..auth.access import scope_prefix
from ..needs.listing import nameable_townships
from ..needs.models import Need
from ..registry.models import Household
from .documents import INDEXED_STATUSES
from .engine import Hits
from .query import SearchQuery
from .schema import FACETS

_URGENCY_ORDER = case({"urgent": 0, "soon": 1}, value=Need.urgency, else_=2)


def _word(word: str, expansions: dict[str, set[str]]):
    terms = [word, *sorted(expansions.get(word, ()))]
    return or_(*(or_(Need.title.contains(t, autoescape=True), Need.description.contains(t, autoescape=True))
                 for t in terms))


def _conditions(query: SearchQuery, expansions, skip: str | None = None) -> list:
    conditions = [Need.status.in_(INDEXED_STATUSES if query.claimed else ("open",))]
    conditions += [_word(w, expansions) for w in query.words()]
    if query.region:
        conditions.append(Need.region_code.startswith(scope_prefix(query.region)[:9]))
    columns = {"category": Need.category, "form": Need.form, "tier": Household.tier, "urgency": Need.urgency}
    for facet, value in query.filters().items():
        if facet == skip:
            continue
        if facet in columns:
            conditions.append(columns[facet] == value)
        elif facet == "county":
            conditions.append(Need.region_code.startswith(value))
        else:
            # Only needs whose township may be named are filed under it; the rest are found by county.
            conditions.append(Need.region_code.startswith(value))
    return conditions


def _base(*columns):
    return select(*columns).select_from(Need).join(Household, Household.id == Need.household_id)


def _facet_counts(session: Session, query: SearchQuery, expansions, facet: str) -> Counter:
    where = and_(*_conditions(query, expansions, skip=facet))
    simple = {"category": Need.category, "form": Need.form, "tier": Household.tier, "urgency": Need.urgency,
              "county": func.substr(Need.region_code, 1, 6)}
    if facet in simple:
        column = simple[facet]
        return Counter(dict(session.execute(_base(column, func.count()).where(where).group_by(column)).all()))
    rows = session.execute(_base(Need.region_code, Household.tier, func.count()).where(where)
                           .group_by(Need.region_code, Household.tier)).all()
    nameable = nameable_townships(session, {(code, tier) for code, tier, _ in rows})
    counts: Counter = Counter()
    for code, tier, n in rows:
        if nameable[(code, tier)]:
            counts[nameable[(code, tier)]] += n
    return counts


def run(session: Session, query: SearchQuery, expansions: dict[str, set[str]], per_page: int) -> Hits:
    where = and_(*_conditions(query, expansions))
    if query.township:
        # The township filter in the index holds only needs whose township may be named; match that.
        rows = session.execute(_base(Need.id, Need.region_code, Household.tier).where(where)).all()
        nameable = nameable_townships(session, {(code, tier) for _, code, tier in rows})
        allowed = [i for i, code, tier in rows if nameable[(code, tier)] == query.township]
        where = and_(where, Need.id.in_(allowed or [0]))
    total = session.scalar(_base(func.count()).where(where))
    order = {
        "deadline": (Need.deadline, Need.id),
        "waiting": (Need.published_at, Need.id),
    }.get(query.sort, (_URGENCY_ORDER, Need.deadline, Need.id))
    ids = list(session.scalars(_base(Need.id).where(where).order_by(*order)
                               .offset((query.page - 1) * per_page).limit(per_page)))
    counts = {facet: _facet_counts(session, query, expansions, facet) for facet in FACETS if facet != "township"}
    # As in the index (engine.py): townships are counted within one county, chosen or the only one left.
    county = query.county or query.township[:6] or (next(iter(counts["county"])) if len(counts["county"]) == 1 else "")
    counts["township"] = Counter({code: n for code, n in _facet_counts(session, query, expansions, "township").items()
                                  if code.startswith(county)}) if county else Counter()
    return Hits(ids, total, counts, [])
