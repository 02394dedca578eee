"""The public directory (公示) of approved organisations. Built from an allowlist of public fields:
nothing about members or the contact person, whose data is personal."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..errors import NotFound
from ..evaluation import figures as evaluation_figures
from ..i18n import _
from ..ledger import org_totals
from ..recommend.profile import region_names
from ..vocabulary import CATEGORIES, ORG_KINDS, label
from .models import Organization


@dataclass(frozen=True)
class PublicEvaluation:
    followups: int
    satisfaction: float | None  # mean, 1..5
    confirmation_rate: float | None


@dataclass(frozen=True)
class PublicOrganization:
    id: int
    name: str
    uscc: str  # printed on the licence; public by law (国家企业信用信息公示系统)
    kind: str
    region: str
    service_regions: list[str]
    service_categories: list[str]
    entries: int  # verified chain entries credited to the organisation
    amount_fen: int
    # 回访满意度 and 受助方确认率 over all the organisation's reviews, only from MIN_PUBLIC_FOLLOWUPS visits
    # on (evaluation.figures); below that the directory says nothing about them.
    evaluation: PublicEvaluation | None = None


def _totals(session: Session, org_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Chain entries and amount per organisation, counting a line of corrections once by its latest entry
    and a voided entry not at all: maintained by the ledger writer (ledger.org_totals), read by key."""
    return org_totals.totals(session, org_ids)


def _public(orgs: list[Organization], names: dict[str, str], totals, evaluations) -> list[PublicOrganization]:
    return [PublicOrganization(
        org.id, org.name, org.uscc, label(ORG_KINDS, org.kind), names.get(org.region_code, org.region_code),
        [names.get(code, code) for code in org.service_regions.split()],
        [label(CATEGORIES, code) for code in org.service_categories.split()],
        *totals.get(org.id, (0, 0)), evaluations.get(org.id)) for org in orgs]


def _evaluations(session: Session, org_ids: list[int]) -> dict[int, PublicEvaluation]:
    """The aggregates of organisations with enough follow-ups, summed from their few tally rows."""
    return {org: PublicEvaluation(f.followups, f.mean_satisfaction, f.confirmation_rate)
            for org, f in evaluation_figures.of_organizations(session, org_ids).items() if f.public}


def _resolve(session: Session, orgs: list[Organization]) -> list[PublicOrganization]:
    codes = {o.region_code for o in orgs} | {c for o in orgs for c in o.service_regions.split()}
    ids = [o.id for o in orgs]
    return _public(orgs, region_names(session, codes), _totals(session, ids), _evaluations(session, ids))


def approved(session: Session, *, kind: str = "", q: str = "") -> list[PublicOrganization]:
    query = select(Organization).where(Organization.status == "approved")
    if kind in ORG_KINDS:
        query = query.where(Organization.kind == kind)
    if q.strip():
        query = query.where(Organization.name.contains(q.strip(), autoescape=True))
    return _resolve(session, list(session.scalars(query.order_by(Organization.name, Organization.id))))


def public_detail(session: Session, org_id: int) -> PublicOrganization:
    org = session.get(Organization, org_id)
    if org is None or org.status != "approved":
        raise NotFound(_("该组织不存在或尚未公示。"))
    return _resolve(session, [org])[0]
