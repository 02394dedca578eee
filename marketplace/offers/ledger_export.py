"""The three-level ledger of charity resources (慈善帮扶资源三级台账: province, city, county), as the provincial
rules ask: every offer serving a place of the staff member's region, or published by an organisation
registered in it, grouped by the level of the organisation's registering authority (a 市慈善总会 is the
city's), with its budget, remainder and referral counts. A bulk path: the scope filters the query."""

from sqlalchemy import func, or_, select
from sqlmodel import Session

from ..auth.access import in_scope_sql, require_role
from ..i18n import N_, _, translate
from ..organizations.models import Organization
from ..regions.models import Region
from ..spreadsheets import Column, fit, write_xlsx_book
from ..vocabulary import AGE_BANDS, CATEGORIES, FORMS, OFFER_STATUSES, TIERS, label
from . import matching, service
from .models import NeedReferral, ResourceOffer

LEVELS = {"province": N_("省级"), "city": N_("市级"), "county": N_("县级")}


def level_of(region_code: str) -> str:
    if region_code.endswith("0000"):
        return "province"
    if region_code.endswith("00") and len(region_code) == 6:
        return "city"
    return "county"


def _names(table: dict, text: str) -> str:
    return "、".join(label(table, code) for code in service.codes(text)) or _("不限")


def columns() -> list[Column]:
    heads = [(_("层级"), 6), (_("登记地"), 10), (_("组织"), 24), (_("项目名称"), 24), (_("帮扶类别"), 16),
             (_("帮扶形式"), 10), (_("对象类别"), 16), (_("年龄段"), 12), (_("服务地区"), 24), (_("开始日期"), 11),
             (_("结束日期"), 11), (_("总预算（元）"), 10), (_("剩余预算（元）"), 10), (_("总数量"), 8),
             (_("剩余数量"), 8), (_("单位"), 6), (_("每户上限"), 10), (_("状态"), 8), (_("定向转介"), 8),
             (_("已接受"), 8), (_("已谢绝"), 8), (_("待答复"), 8)]
    return [Column(h, fit(h, w), "#,##0.00" if "元" in h or "yuan" in h.lower() else None) for h, w in heads]


def rows_by_level(session: Session, actor) -> dict[str, list[tuple]]:
    require_role(actor, "staff")
    query = (select(ResourceOffer, Organization.name, Organization.region_code)
             .join(Organization, Organization.id == ResourceOffer.organization_id)
             .where(or_(matching.offers_for_staff(actor), in_scope_sql(actor, Organization.region_code)))
             .order_by(Organization.region_code, ResourceOffer.id))
    found = session.execute(query).all()
    ids = [offer.id for offer, *_ in found]
    counts: dict[tuple[int, str], int] = {}
    for offer_id, status, count in session.execute(
            select(NeedReferral.offer_id, NeedReferral.status, func.count())
            .where(NeedReferral.offer_id.in_(ids)).group_by(NeedReferral.offer_id, NeedReferral.status)):
        counts[(offer_id, status)] = count
    places = service.place_names(session, ids)
    homes = dict(session.execute(select(Region.code, Region.name)
                                 .where(Region.code.in_({home for *_, home in found}))).all())
    grouped: dict[str, list[tuple]] = {level: [] for level in LEVELS}
    for offer, org_name, home in found:
        total = sum(v for (oid, _s), v in counts.items() if oid == offer.id)
        cap = (offer.cap_fen / 100 if offer.cap_fen is not None else
               f"{offer.cap_quantity} {offer.unit or ''}".strip() if offer.cap_quantity else "")
        grouped[level_of(home)].append((
            translate(LEVELS[level_of(home)]), homes.get(home, home), org_name, offer.title,
            _names(CATEGORIES, offer.categories), _names(FORMS, offer.forms), _names(TIERS, offer.tiers),
            _names(AGE_BANDS, offer.age_bands), "、".join(places.get(offer.id, [])), offer.starts_on, offer.ends_on,
            offer.budget_fen / 100 if offer.budget_fen is not None else None,
            offer.remaining_fen / 100 if offer.remaining_fen is not None else None,
            offer.quantity, offer.remaining_quantity, offer.unit or "", cap, label(OFFER_STATUSES, offer.status),
            total, counts.get((offer.id, "accepted"), 0), counts.get((offer.id, "declined"), 0),
            counts.get((offer.id, "pending"), 0)))
    return grouped


def write(session: Session, actor, target) -> int:
    grouped = rows_by_level(session, actor)
    cols = columns()
    written = write_xlsx_book([(translate(LEVELS[level]), cols, grouped[level]) for level in LEVELS], target)
    return sum(written)
