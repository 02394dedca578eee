"""The public, de-identified view of needs: an allowlist of fields, never a household identifier."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlmodel import Session

from ..auth.access import scope_prefix
from ..regions.models import Region
from ..registry.models import Household
from .models import Need

PUBLIC_STATUSES = ("open", "claimed", "in_progress", "submitted", "verified")
_URGENCY_ORDER = case({"urgent": 0, "soon": 1}, value=Need.urgency, else_=2)


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
    deadline: date
    target_amount_fen: int | None
    target_quantity: int | None
    unit: str | None
    published_at: object


@dataclass
class Filters:
    category: str = ""
    form: str = ""
    urgency: str = ""
    county: str = ""
    page: int = 1


def area_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Township-level place names ("涡阳县 · 楚店镇"); a village is shown as its township."""
    wanted = set()
    for code in codes:
        wanted |= {code[:6], code[:9]}
    regions = {r.code: r.name for r in session.scalars(select(Region).where(Region.code.in_(wanted)))}
    names = {}
    for code in codes:
        county, township = regions.get(code[:6], ""), regions.get(code[:9], "") if len(code) >= 9 else ""
        names[code] = " · ".join(part for part in (county, township) if part)
    return names


def _public(need: Need, tier: str, area: str) -> PublicNeed:
    return PublicNeed(need.id, need.category, need.form, need.title, need.description, need.urgency, need.status,
                      tier, area, need.deadline, need.target_amount_fen, need.target_quantity, need.unit,
                      need.published_at)


def open_needs(session: Session, filters: Filters, per_page: int = 20) -> tuple[list[PublicNeed], int]:
    query = select(Need, Household.tier).join(Household, Household.id == Need.household_id).where(
        Need.status == "open")
    if filters.category:
        query = query.where(Need.category == filters.category)
    if filters.form:
        query = query.where(Need.form == filters.form)
    if filters.urgency:
        query = query.where(Need.urgency == filters.urgency)
    if filters.county:
        query = query.where(Need.region_code.startswith(scope_prefix(filters.county)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(_URGENCY_ORDER, Need.deadline, Need.id).offset((filters.page - 1) * per_page).limit(per_page)
    ).all()
    names = area_names(session, {need.region_code for need, _ in rows})
    return [_public(need, tier, names[need.region_code]) for need, tier in rows], total


def public_need(session: Session, need: Need) -> PublicNeed:
    tier = session.scalar(select(Household.tier).where(Household.id == need.household_id))
    return _public(need, tier, area_names(session, {need.region_code})[need.region_code])


def counties(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.level == "county").order_by(Region.code)))


def open_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Need).where(Need.status == "open"))
