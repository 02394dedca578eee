"""What staff see of an offer serving their places: the open needs that fit it, ranked by the recommendation
score with its reasons, and the registry households that fit it but have no open need yet.

Fit = place (the offer's counties and townships inside the staff member's region) × the household's tier ×
the need's category and form × age band; not held for anyone, not in a purchase project. The duplicate
rules then drop needs the household already got the same aid for (exact) and flag the likely ones (soft).

Bounded by the page: at most MAX_CANDIDATES needs are read (most urgent, longest waiting first, the SQL
order) and scored in memory; duplicate checks (two indexed round trips each) run only for the rows shown.
Households are a page at a time in code order (one row more than the page says whether there is a next)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, false, or_, select
from sqlmodel import Session

from ..auth.access import in_scope_sql, require_role, scope_prefix, within_sql
from ..duplicates.check import Proposed, check, describe
from ..i18n import _
from ..modelbase import utcnow
from ..needs import listing
from ..needs.models import Need
from ..paging import Page, PageRequest
from ..recommend.profile import ServiceProfile
from ..recommend.service import _aid_in_last_year, _Candidate, _score
from ..recommend.weights import merged
from ..registry.models import Household
from ..vocabulary import TIERS, label
from . import service
from .models import ResourceOffer, ResourceOfferRegion

MAX_CANDIDATES = 500
SHOWN_NEEDS = 20
LIVE = ("open", "claimed", "in_progress", "submitted")
# Birth years of an age band, as of `today` (vocabulary.age_band).
BANDS = {"minor": (0, 17), "adult": (18, 59), "senior": (60, 79), "elder": (80, 200)}
CLIFF = ("marginal", "rigid_expense")


@dataclass
class NeedMatch:
    need: listing.PublicNeed
    score: float
    reasons: list[str]
    warning: str = ""


@dataclass
class HouseholdMatch:
    household: Household
    area: str
    reasons: list[str] = field(default_factory=list)
    warning: str = ""


def offers_for_staff(actor):
    """Offers serving some place of the actor's region (a place inside it, or the county holding it)."""
    require_role(actor, "staff")
    code = actor.region_code or ""
    ancestors = [code[:6]] if len(code) > 6 else []
    places = select(ResourceOfferRegion.offer_id).where(or_(
        in_scope_sql(actor, ResourceOfferRegion.region_code), ResourceOfferRegion.region_code.in_(ancestors)))
    return ResourceOffer.id.in_(places)


def served_here(session: Session, actor, offer: ResourceOffer) -> list[str]:
    """The offer's places as far as they lie in the actor's region (a county-wide offer seen by township
    staff: their township)."""
    places = session.scalars(select(ResourceOfferRegion.region_code)
                             .where(ResourceOfferRegion.offer_id == offer.id)).all()
    code = actor.region_code or ""
    here = []
    for place in places:
        if place.startswith(scope_prefix(code)):
            here.append(place)
        elif code.startswith(place):
            here.append(code)
    return sorted(set(here))


def _place_clause(column, places: list[str]):
    return or_(*(within_sql(column, p) for p in places)) if places else false()


def _band_clause(offer: ResourceOffer, today: date):
    bands = service.codes(offer.age_bands)
    if not bands:
        return None
    by_birth = [Household.head_birth_year.between(today.year - BANDS[b][1], today.year - BANDS[b][0]) for b in bands]
    return or_(Need.age_band.in_(bands), and_(Need.age_band.is_(None), or_(*by_birth)))


def needs(session: Session, actor, offer: ResourceOffer, today: date, limit: int = SHOWN_NEEDS) -> list[NeedMatch]:
    places = served_here(session, actor, offer)
    now = utcnow()
    query = (select(Need.id, Need.household_id, Need.region_code, Need.category, Need.urgency, Need.deadline,
                    Need.published_at, Household.tier, Household.members, Household.head_birth_year,
                    _aid_in_last_year(today).label("aid"))
             .join(Household, Household.id == Need.household_id)
             .where(Need.status == "open", Need.deadline >= today, _place_clause(Need.region_code, places),
                    in_scope_sql(actor, Need.region_code),
                    Need.category.in_(service.codes(offer.categories)), Need.form.in_(service.codes(offer.forms)),
                    Need.purchase_project_id.is_(None), or_(Need.held_until.is_(None), Need.held_until <= now),
                    Need.pledged_fen == 0, Need.pledged_quantity == 0))
    if offer.tiers:
        query = query.where(Household.tier.in_(service.codes(offer.tiers)))
    if (bands := _band_clause(offer, today)) is not None:
        query = query.where(bands)
    urgency = case({"urgent": 0, "soon": 1}, value=Need.urgency, else_=2)
    candidates = [_Candidate(*row) for row in session.execute(
        query.order_by(urgency, Need.published_at, Need.id).limit(MAX_CANDIDATES))]
    if not candidates:
        return []
    # The offer stands in for a helper's declared profile: its categories and places.
    profile = ServiceProfile(frozenset(service.codes(offer.categories)), tuple(places), None, None)
    townships = listing.nameable_townships(session, {(c.region_code, c.tier) for c in candidates})
    weights = merged(None)
    scored = sorted(((*_score(c, profile, profile.regions, townships[(c.region_code, c.tier)], weights, today), c)
                     for c in candidates), key=lambda item: (-item[0], item[2].deadline, item[2].id))
    picked: list[tuple[Need, float, list[str], str]] = []
    top = scored[:limit * 3]  # a few spare for the exact duplicates dropped
    rows = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_([c.id for *_, c in top])))}
    owners = {h.id: h for h in session.scalars(select(Household).where(
        Household.id.in_({n.household_id for n in rows.values()})))}
    for score, reasons, candidate in top:
        need = rows[candidate.id]
        matches = check(session, owners[need.household_id],
                        Proposed.of_need(need, organization_id=offer.organization_id, exclude_need_id=need.id), today)
        if any(m.exact for m in matches) and not need.override_reason:
            continue
        warning = _("可能重复：%(matches)s", matches=describe(matches)) if matches else ""
        picked.append((need, round(score, 3), reasons, warning))
        if len(picked) == limit:
            break
    public = listing.projected(session, [need.id for need, *_ in picked])
    return [NeedMatch(public[need.id], score, reasons, warning) for need, score, reasons, warning in picked]


def households(session: Session, actor, offer: ResourceOffer, want: PageRequest, today: date) -> Page:
    """Active registry households that fit the offer and have no live need: staff may post one for them."""
    places = served_here(session, actor, offer)
    query = (select(Household).where(Household.status == "active", _place_clause(Household.region_code, places),
                                     in_scope_sql(actor, Household.region_code),
                                     ~exists(select(Need.id).where(Need.household_id == Household.id,
                                                                   Need.status.in_(LIVE)))))
    if offer.tiers:
        query = query.where(Household.tier.in_(service.codes(offer.tiers)))
    bands = service.codes(offer.age_bands)
    if bands:
        query = query.where(or_(*(Household.head_birth_year.between(today.year - BANDS[b][1], today.year - BANDS[b][0])
                                  for b in bands)))
    # By code, the unique index's order: the database walks it until the page is full instead of sorting
    # every household of the places (a county holds tens of thousands). The near-poor are marked instead.
    rows = list(session.scalars(query.order_by(Household.public_code).offset(want.offset).limit(want.size + 1)))
    has_next = len(rows) > want.size
    rows = rows[:want.size]
    names = listing.area_names(session, {h.region_code for h in rows})
    shown = []
    for household in rows:
        reasons = [label(TIERS, household.tier)] if household.tier in CLIFF else []
        hits = []
        for category in service.codes(offer.categories):
            hits += check(session, household, Proposed(category=category, deadline=offer.ends_on,
                                                      organization_id=offer.organization_id), today)
        warning = _("同期已获同类帮扶：%(matches)s", matches=describe(hits)) if hits else ""
        shown.append(HouseholdMatch(household, names.get(household.region_code, ""), reasons, warning))
    return Page(shown, want.number, want.size, has_next, None)
