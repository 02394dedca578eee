"""Who acted in the division in the month: organisations (claims and pledges taken, fulfilments verified, aid on
the chain), charities' resource offers and the needs referred to them, families referred to civil affairs,
and needs routed to departments. Aggregates per organisation, offer or outcome; organisation names and offer
titles are public, nothing here names a household or a person."""

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from ..claims.models import Claim
from ..fulfilment.models import Fulfilment
from ..needs.models import Need
from ..offers.models import NeedReferral, ResourceOffer, ResourceOfferRegion
from ..organizations.models import Organization
from ..pledges.models import Pledge
from ..referrals.models import FamilyReferral
from ..reports.filters import in_scope_of
from ..routing.models import NeedRouting
from .figures import amounts_of, as_of, in_month
from .period import CHINA, Month

INDIVIDUAL = "individual"  # volunteers acting on their own: one row, never a person's name


def _count_by(session: Session, query) -> dict:
    return {key: int(n) for key, n in session.execute(query)}


def organizations(session: Session, prefix: str, month: Month, aid: dict) -> list[dict]:
    """Each organisation active in the division in the month (and volunteers acting alone as one row), most
    verified work first. `aid`: the month's aid by organisation (figures.aid)."""
    scope = in_scope_of(Need.region_code, prefix)
    taken: dict = {}
    for query in (
            select(Claim.organization_id, func.count()).join(Need, Need.id == Claim.need_id)
            .where(scope, in_month(Claim.claimed_at, month)).group_by(Claim.organization_id),
            select(Pledge.organization_id, func.count()).join(Need, Need.id == Pledge.need_id)
            .where(scope, in_month(Pledge.pledged_at, month)).group_by(Pledge.organization_id)):
        for key, n in _count_by(session, query).items():
            taken[key] = taken.get(key, 0) + n
    verified: dict = {}
    for query in (
            select(Claim.organization_id, func.count()).select_from(Fulfilment)
            .join(Claim, Claim.id == Fulfilment.claim_id).join(Need, Need.id == Fulfilment.need_id)
            .where(scope, Fulfilment.status == "verified", in_month(Fulfilment.reviewed_at, month))
            .group_by(Claim.organization_id),
            select(Pledge.organization_id, func.count()).join(Need, Need.id == Pledge.need_id)
            .where(scope, Pledge.status == "verified", in_month(Pledge.reviewed_at, month))
            .group_by(Pledge.organization_id)):
        for key, n in _count_by(session, query).items():
            verified[key] = verified.get(key, 0) + n
    keys = set(taken) | set(verified) | set(aid)
    ids = [k for k in keys if k is not None]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))} if ids else {}
    rows = []
    for key in keys:
        org = orgs.get(key)
        amounts = aid.get(key) or amounts_of((0, 0, 0, 0, 0))
        rows.append({"organization_id": key, "name": org.name if org else None,
                     "kind": org.kind if org else INDIVIDUAL, "taken": taken.get(key, 0),
                     "verified": verified.get(key, 0), **amounts})
    rows.sort(key=lambda r: (-r["verified"], -r["entries"], -r["money_fen"], -r["hours"], -r["taken"],
                             r["name"] is None, r["name"] or ""))
    return rows


def offers(session: Session, prefix: str, month: Month) -> dict | None:
    """Resource offers serving a place of the division during the month, and the division's needs referred to
    any offer that month (made, accepted, declined). None when there is neither."""
    served = select(ResourceOfferRegion.offer_id).where(in_scope_of(ResourceOfferRegion.region_code, prefix))
    active = set(session.scalars(select(ResourceOffer.id).where(
        ResourceOffer.id.in_(served), ResourceOffer.status != "withdrawn",
        ResourceOffer.starts_on <= month.last, ResourceOffer.ends_on >= month.first)))
    made = in_month(NeedReferral.created_at, month)
    decided = in_month(NeedReferral.decided_at, month)
    counts = {offer_id: (int(a or 0), int(b or 0), int(c or 0)) for offer_id, a, b, c in session.execute(
        select(NeedReferral.offer_id, func.sum(case((made, 1), else_=0)),
               func.sum(case((and_(decided, NeedReferral.status == "accepted"), 1), else_=0)),
               func.sum(case((and_(decided, NeedReferral.status == "declined"), 1), else_=0)))
        .join(Need, Need.id == NeedReferral.need_id)
        .where(in_scope_of(Need.region_code, prefix), or_(made, decided))
        .group_by(NeedReferral.offer_id))}
    ids = active | {k for k, v in counts.items() if any(v)}
    if not ids:
        return None
    found = session.execute(select(ResourceOffer.id, ResourceOffer.title, Organization.name)
                            .join(Organization, Organization.id == ResourceOffer.organization_id)
                            .where(ResourceOffer.id.in_(ids)))
    rows = []
    for offer_id, title, org_name in found:
        m, a, d = counts.get(offer_id, (0, 0, 0))
        rows.append({"offer_id": offer_id, "title": title, "organization": org_name, "serving": offer_id in active,
                     "made": m, "accepted": a, "declined": d})
    rows.sort(key=lambda r: (-r["made"], -r["accepted"], r["organization"], r["title"], r["offer_id"]))
    return {"rows": rows, "active": len(active), **{k: sum(r[k] for r in rows) for k in ("made", "accepted", "declined")}}


def family_referrals(session: Session, prefix: str, month: Month, now: datetime) -> dict | None:
    """Families referred to civil affairs in the division: filed in the month, decided in the month by
    outcome, and overdue at the month's end (due and still undecided). None when all are zero."""
    scope = in_scope_of(FamilyReferral.region_code, prefix)
    moment = as_of(month, now)
    filed = session.scalar(select(func.count()).select_from(FamilyReferral)
                           .where(scope, in_month(FamilyReferral.created_at, month))) or 0
    decided = _count_by(session, select(FamilyReferral.outcome, func.count())
                        .where(scope, FamilyReferral.status == "decided", in_month(FamilyReferral.decided_at, month))
                        .group_by(FamilyReferral.outcome))
    undecided_then = or_(FamilyReferral.status == "open",
                         and_(FamilyReferral.status == "decided", FamilyReferral.decided_at >= moment))
    overdue = session.scalar(select(func.count()).select_from(FamilyReferral).where(
        scope, FamilyReferral.created_at < moment, FamilyReferral.due_on < moment.astimezone(CHINA).date(),
        undecided_then)) or 0
    if not (filed or decided or overdue):
        return None
    return {"filed": filed, "decided": {k or "": v for k, v in decided.items()}, "decided_total": sum(decided.values()),
            "overdue": overdue}


def routing(session: Session, prefix: str, month: Month) -> dict | None:
    """Needs of the division routed to a department (分类推送) in the month, and the answers of the month:
    handled, sent back, or left to lapse. None when all are zero."""
    answered = in_month(NeedRouting.answered_at, month)
    row = session.execute(
        select(func.sum(case((in_month(NeedRouting.created_at, month), 1), else_=0)),
               func.sum(case((and_(answered, NeedRouting.status == "handled"), 1), else_=0)),
               func.sum(case((and_(answered, NeedRouting.status == "declined"), 1), else_=0)),
               func.sum(case((and_(in_month(NeedRouting.until, month), NeedRouting.status == "lapsed"), 1), else_=0)))
        .join(Need, Need.id == NeedRouting.need_id)
        .where(in_scope_of(Need.region_code, prefix),
               or_(in_month(NeedRouting.created_at, month), answered, in_month(NeedRouting.until, month)))).one()
    figures = dict(zip(("routed", "handled", "declined", "lapsed"), (int(v or 0) for v in row), strict=True))
    return figures if any(figures.values()) else None
