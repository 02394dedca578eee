"""Publishing and managing a resource offer (慈善项目), and its public projection. Services flush, never commit.

The remaining budget (or quantity) is only ever changed by conditional UPDATEs (here when the total is
edited, in referring.py when a referral is accepted), so an edit and an acceptance at the same moment
cannot write over each other and the remainder never goes below zero."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, literal, or_, select, update
from sqlmodel import Session

from ..auth.access import found, require_role, within_sql
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..organizations.access import ADMIN, org_role
from ..organizations.models import Organization
from ..privacy.pii_scan import scan
from ..regions.models import Region
from ..vocabulary import AGE_BANDS, CATEGORIES, FORMS, OFFER_STATUSES, TIERS, label
from .models import ResourceOffer, ResourceOfferRegion

MANAGERS = (ADMIN, "coordinator")
QUANTITY_FORMS = ("goods", "service", "retrofit")


@dataclass
class OfferInput:
    title: str
    description: str
    categories: list[str]
    forms: list[str]
    tiers: list[str]
    age_bands: list[str]
    regions: list[str]
    budget_fen: int | None
    quantity: int | None
    unit: str | None
    cap_fen: int | None
    cap_quantity: int | None
    starts_on: date
    ends_on: date
    selection: str


def codes(text: str | None) -> list[str]:
    return [c for c in (text or "").split() if c]


def managing_organization(session: Session, actor) -> Organization:
    """The actor's organisation, if it is approved and the actor administers or coordinates it."""
    require_role(actor, "charity")
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None or org.status != "approved":
        raise Forbidden(_("您所在的组织尚未通过民政部门审核（或已被暂停），暂不能发布慈善项目。"))
    if org_role(actor) not in MANAGERS:
        raise Forbidden(_("只有本组织的管理员或协调员可以发布和管理慈善项目、答复定向转介。"))
    return org


def own_offer(session: Session, actor, offer_id: int) -> ResourceOffer:
    org = managing_organization(session, actor)
    offer = found(session.get(ResourceOffer, offer_id), N_("慈善项目"))
    if offer.organization_id != org.id:
        raise Forbidden(_("这不是您所在组织的慈善项目。"))
    return offer


def _check(session: Session, data: OfferInput) -> None:
    for field, chosen, table, what in (("categories", data.categories, CATEGORIES, _("帮扶类别")),
                                       ("forms", data.forms, FORMS, _("帮扶形式")),
                                       ("tiers", data.tiers, TIERS, _("对象类别")),
                                       ("age_bands", data.age_bands, AGE_BANDS, _("年龄段"))):
        if any(code not in table for code in chosen):
            raise Invalid(_("%(what)s中有未知的选项。", what=what), field)
    if not data.categories:
        raise Invalid(_("请至少选择一个帮扶类别。"), "categories")
    if not data.forms:
        raise Invalid(_("请至少选择一种帮扶形式。"), "forms")
    if not data.regions:
        raise Invalid(_("请至少选择一个服务地区（县区或乡镇）。"), "regions")
    known = set(session.scalars(select(Region.code).where(Region.code.in_(data.regions),
                                                          Region.level.in_(("county", "township")))))
    if set(data.regions) - known:
        raise Invalid(_("服务地区须为县区或乡镇。"), "regions")
    if data.ends_on < data.starts_on:
        raise Invalid(_("结束日期不能早于开始日期。"), "ends_on")
    if (data.budget_fen is None) == (data.quantity is None):
        raise Invalid(_("请填写总预算（资金）或总数量（物资、服务），二者填一项。"), "budget")
    if data.quantity is not None and not (data.unit or "").strip():
        raise Invalid(_("按数量提供时请填写单位，如 件、次、户。"), "unit")
    if data.budget_fen is not None and data.cap_fen is not None and data.cap_fen > data.budget_fen:
        raise Invalid(_("每户上限不能超过总预算。"), "cap")
    if data.quantity is not None and data.cap_quantity is not None and data.cap_quantity > data.quantity:
        raise Invalid(_("每户上限不能超过总数量。"), "cap")
    # Published for everyone to read: no household may be named in it.
    scan({"title": data.title, "description": data.description, "selection": data.selection},
         labels={"title": _("项目名称"), "description": _("项目介绍"), "selection": _("受助对象确定方式")})


def _fill(offer: ResourceOffer, data: OfferInput) -> None:
    offer.title, offer.description, offer.selection = data.title.strip(), data.description.strip(), data.selection.strip()
    offer.categories, offer.forms = " ".join(data.categories), " ".join(data.forms)
    offer.tiers, offer.age_bands = " ".join(data.tiers), " ".join(data.age_bands)
    offer.unit = data.unit.strip() if data.quantity is not None and data.unit else None
    offer.cap_fen = data.cap_fen if data.budget_fen is not None else None
    offer.cap_quantity = data.cap_quantity if data.quantity is not None else None
    offer.starts_on, offer.ends_on = data.starts_on, data.ends_on


def _set_regions(session: Session, offer: ResourceOffer, regions: list[str]) -> None:
    session.execute(delete(ResourceOfferRegion).where(ResourceOfferRegion.offer_id == offer.id))
    session.add_all(ResourceOfferRegion(offer_id=offer.id, region_code=code) for code in dict.fromkeys(regions))


def publish(session: Session, actor, data: OfferInput) -> ResourceOffer:
    org = managing_organization(session, actor)
    _check(session, data)
    offer = ResourceOffer(organization_id=org.id, created_by_id=actor.id, title="", categories="", forms="",
                          starts_on=data.starts_on, ends_on=data.ends_on,
                          budget_fen=data.budget_fen, remaining_fen=data.budget_fen,
                          quantity=data.quantity, remaining_quantity=data.quantity)
    _fill(offer, data)
    session.add(offer)
    session.flush()
    _set_regions(session, offer, data.regions)
    session.flush()
    return offer


def edit(session: Session, actor, offer: ResourceOffer, data: OfferInput) -> ResourceOffer:
    """Change an open offer. A new total moves the remainder by the same difference, refused when more than
    the new total has been given already."""
    own_offer(session, actor, offer.id)
    if offer.status != "open":
        raise Conflict(_("该项目当前状态为「%(status)s」，不能修改。", status=label(OFFER_STATUSES, offer.status)))
    _check(session, data)
    if (data.budget_fen is None) != (offer.budget_fen is None):
        raise Invalid(_("发布后不能在资金和数量之间切换；如需调整，请撤回后重新发布。"), "budget")
    column, remaining, new_total = ((ResourceOffer.budget_fen, ResourceOffer.remaining_fen, data.budget_fen)
                                    if offer.budget_fen is not None else
                                    (ResourceOffer.quantity, ResourceOffer.remaining_quantity, data.quantity))
    result = session.execute(
        update(ResourceOffer)
        .where(ResourceOffer.id == offer.id, ResourceOffer.status == "open", remaining + (new_total - column) >= 0)
        .values({remaining: remaining + (new_total - column), column: new_total, ResourceOffer.updated_at: utcnow()})
        .execution_options(synchronize_session=False))
    session.refresh(offer)
    if result.rowcount != 1:
        raise Invalid(_("新的总额少于已经接受转介占用的部分（已占用 %(used)s），请调高。", used=used_shown(offer)),
                      "budget")
    _fill(offer, data)
    _set_regions(session, offer, data.regions)
    session.flush()
    return offer


def end(session: Session, actor, offer: ResourceOffer, status: str) -> ResourceOffer:
    """结束 (closed: given out or period over) or 撤回 (withdrawn: will not be given). Pending referrals end
    with it, and their needs return to the public list."""
    from . import referring

    own_offer(session, actor, offer.id)
    if offer.status != "open":
        raise Conflict(_("该项目当前状态为「%(status)s」，不能再结束或撤回。", status=label(OFFER_STATUSES, offer.status)))
    offer.status, offer.updated_at = status, utcnow()
    referring.cancel_pending(session, offer, actor.id)
    session.flush()
    return offer


def used_shown(offer: ResourceOffer) -> str:
    from ..i18n import money

    if offer.budget_fen is not None:
        return money((offer.budget_fen or 0) - (offer.remaining_fen or 0))
    from .referring import unit_shown

    return f"{(offer.quantity or 0) - (offer.remaining_quantity or 0)} {unit_shown(offer)}".rstrip()


# --- the public projection ------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicOffer:
    """What anyone may read about an offer: the organisation's project, never a household."""

    id: int
    organization_id: int
    organization: str
    title: str
    description: str
    categories: list[str]
    forms: list[str]
    tiers: list[str]
    age_bands: list[str]
    places: list[str]
    budget_fen: int | None
    remaining_fen: int | None
    quantity: int | None
    remaining_quantity: int | None
    unit: str | None
    cap_fen: int | None
    cap_quantity: int | None
    starts_on: date
    ends_on: date
    selection: str
    status: str


def place_names(session: Session, offer_ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(ResourceOfferRegion.offer_id, ResourceOfferRegion.region_code, Region.name)
        .join(Region, Region.code == ResourceOfferRegion.region_code)
        .where(ResourceOfferRegion.offer_id.in_(offer_ids)).order_by(ResourceOfferRegion.region_code)).all()
    counties = {code[:6] for _, code, _ in rows if len(code) > 6}
    county_names = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(counties))).all())
    names: dict[int, list[str]] = {}
    for offer_id, code, name in rows:
        shown = f"{county_names.get(code[:6], '')} · {name}" if len(code) > 6 else name
        names.setdefault(offer_id, []).append(shown)
    return names


def project(session: Session, offers: list[ResourceOffer]) -> list[PublicOffer]:
    ids = [o.id for o in offers]
    places = place_names(session, ids)
    orgs = dict(session.execute(select(Organization.id, Organization.name)
                                .where(Organization.id.in_({o.organization_id for o in offers}))).all())
    return [PublicOffer(o.id, o.organization_id, orgs.get(o.organization_id, ""), o.title, o.description,
                        codes(o.categories), codes(o.forms), codes(o.tiers), codes(o.age_bands), places.get(o.id, []),
                        o.budget_fen, o.remaining_fen, o.quantity, o.remaining_quantity, o.unit, o.cap_fen,
                        o.cap_quantity, o.starts_on, o.ends_on, o.selection, o.status) for o in offers]


def public_offer(session: Session, offer_id: int) -> PublicOffer:
    """An offer anyone may read: published by an organisation in good standing (a suspended one's offers
    leave the list with it)."""
    offer = session.get(ResourceOffer, offer_id)
    org = session.get(Organization, offer.organization_id) if offer else None
    if offer is None or org is None or org.status != "approved":
        found(None, N_("慈善项目"))
    return project(session, [offer])[0]


def has_code(column, code: str):
    """A space-separated code list holds `code` (whole codes: "care" is not in "healthcare")."""
    return (literal(" ") + column + literal(" ")).contains(f" {code} ", autoescape=True)


def serving(place: str):
    """Offers serving `place` (a county or township code): a place of theirs lies in it, or is its county."""
    ancestors = [place[:6]] if len(place) > 6 else []
    return ResourceOffer.id.in_(select(ResourceOfferRegion.offer_id).where(
        or_(within_sql(ResourceOfferRegion.region_code, place), ResourceOfferRegion.region_code.in_(ancestors))))


def public_query(category: str = "", place: str = "", org_id: int | None = None):
    query = (select(ResourceOffer).join(Organization, Organization.id == ResourceOffer.organization_id)
             .where(ResourceOffer.status == "open", Organization.status == "approved"))
    if category:
        query = query.where(has_code(ResourceOffer.categories, category))
    if place:
        query = query.where(serving(place))
    if org_id is not None:
        query = query.where(ResourceOffer.organization_id == org_id)
    return query.order_by(ResourceOffer.ends_on, ResourceOffer.id)


def open_offers_of(session: Session, org_id: int, limit: int = 20) -> list[PublicOffer]:
    """An organisation's open offers, for its directory page."""
    return project(session, list(session.scalars(public_query(org_id=org_id).limit(limit))))


def places_with_offers(session: Session) -> list[Region]:
    """The counties some open offer serves: the list's place filter offers those worth choosing."""
    counties = (select(func.substr(ResourceOfferRegion.region_code, 1, 6))
                .join(ResourceOffer, ResourceOffer.id == ResourceOfferRegion.offer_id)
                .where(ResourceOffer.status == "open").distinct())
    return list(session.scalars(select(Region).where(Region.code.in_(counties)).order_by(Region.code)))
