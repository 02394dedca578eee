"""The public, de-identified view of needs. It is built from an allowlist of fields (`PublicNeed`) and never
reads a household's identifiers; areas too small to hide a family in are generalised to the county."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from ..regions.models import Region
from ..registry import tier_counts
from ..registry.models import Household
from ..vocabulary import age_band, size_band
from .holds import shown_hold
from .models import Need

PUBLIC_STATUSES = ("open", "claimed", "in_progress", "submitted", "verified")
# k-anonymity: a township is named only if it holds at least this many active households of the tier.
K_MIN = 5
# The only household columns the public projection reads.
_FACTS = (Household.tier, Household.members, Household.head_birth_year)


@dataclass(frozen=True)
class PublicNeed:
    id: int
    category: str
    form: str
    title: str
    description: str
    urgency: str
    status: str
    tier: str
    area: str
    age_band: str | None
    size_band: str
    deadline: date
    target_amount_fen: int | None
    target_quantity: int | None
    unit: str | None
    hold: str | None = None  # vocabulary.HOLDS: referred to an offer, with a department, a purchase project's


def _region_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return {r.code: r.name for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def area_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Township-level place names ("涡阳县 · 楚店镇"); a village is shown as its township. For staff pages:
    public ones use `public_areas`."""
    regions = _region_names(session, {c[:6] for c in codes} | {c[:9] for c in codes if len(c) >= 9})
    names = {}
    for code in codes:
        county, township = regions.get(code[:6], ""), regions.get(code[:9], "") if len(code) >= 9 else ""
        names[code] = " · ".join(part for part in (county, township) if part)
    return names


def _township_counts(session: Session, places: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Active registry households per (township, tier), for all the townships of a page in one query of
    the maintained table (registry.tier_counts): work proportional to the page, not to the registry."""
    return tier_counts.counts(session, {code[:9] for code, _ in places if len(code) >= 9},
                              {tier for _, tier in places})


def nameable_townships(session: Session, places: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """(region code, tier) -> the township code a public page may name, or None where only the county may
    be shown: the same k-anonymity rule as `public_areas`, as codes for the search index's facets."""
    counts = _township_counts(session, places)
    return {(code, tier): code[:9] if len(code) >= 9 and counts.get((code[:9], tier), 0) >= K_MIN else None
            for code, tier in places}


def public_areas(session: Session, places: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(region code, tier) -> the area a public page may show: the township if at least K_MIN active
    households of that tier live there, otherwise only the county."""
    counts = _township_counts(session, places)
    names = area_names(session, {code for code, _ in places} | {code[:6] for code, _ in places})
    return {(code, tier): names[code] if counts.get((code[:9], tier), 0) >= K_MIN else names[code[:6]]
            for code, tier in places}


def project(session: Session, rows, today: date | None = None) -> list[PublicNeed]:
    """Rows of (Need, tier, members, head_birth_year) as public needs."""
    year = (today or date.today()).year
    areas = public_areas(session, {(need.region_code, tier) for need, tier, _, _ in rows})
    return [
        PublicNeed(
            need.id, need.category, need.form, need.title, need.description, need.urgency, need.status, tier,
            areas[(need.region_code, tier)],
            need.age_band or (age_band(year - born) if born else None), size_band(members),
            need.deadline, need.target_amount_fen, need.target_quantity, need.unit, shown_hold(need),
        )
        for need, tier, members, born in rows
    ]


def public_needs(session: Session, ids: list[int]) -> list[PublicNeed]:
    """The public projection of these needs, in the given order (a search's ranking)."""
    if not ids:
        return []
    rows = session.execute(select(Need, *_FACTS).join(Household, Household.id == Need.household_id)
                           .where(Need.id.in_(ids))).all()
    projected = {need.id: need for need in project(session, rows)}
    return [projected[i] for i in ids if i in projected]


def projected(session: Session, ids) -> dict[int, PublicNeed]:
    """need id -> its public projection: what every path leaving the region's staff (pages, fragments, the
    API, mail, certificates, exports) takes a need's title, description and place from."""
    return {public.id: public for public in public_needs(session, list(dict.fromkeys(ids)))}


def public_places(session: Session, needs) -> dict[int, str]:
    """need id -> the place `projected` gives (township or, for small groups, county), for Need objects
    already loaded (a new shift's place)."""
    needs = list(needs)
    tiers = dict(session.execute(select(Household.id, Household.tier)
                                 .where(Household.id.in_({n.household_id for n in needs}))).all()) if needs else {}
    areas = public_areas(session, {(n.region_code, tiers[n.household_id]) for n in needs})
    return {n.id: areas[(n.region_code, tiers[n.household_id])] for n in needs}


def public_need(session: Session, need: Need) -> PublicNeed:
    facts = session.execute(select(*_FACTS).where(Household.id == need.household_id)).one()
    return project(session, [(need, *facts)])[0]


def counties(session: Session) -> list[Region]:
    """The counties that have open needs: the filter offers places worth choosing, not all of China."""
    with_needs = select(func.substr(Need.region_code, 1, 6)).where(Need.status == "open").distinct()
    return list(session.scalars(select(Region).where(Region.code.in_(with_needs)).order_by(Region.code)))
