"""Evidence of fulfilment and its review by staff. Approval appends to the household's chain in the
same transaction, so a verified need always has its ledger entry."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import false, func, select
from sqlmodel import Session

from .. import paging
from ..auth.access import found, require_staff_for, scope_prefix
from ..claims import service as claims
from ..claims.models import Claim
from ..confirmation import service as confirmation
from ..errors import Conflict, Forbidden, Invalid
from ..evaluation import tally
from ..evidence import service as evidence_files
from ..i18n import _
from ..ledger import service as ledger
from ..modelbase import utcnow
from ..needs import lifecycle
from ..needs.models import Need
from ..notify import emitters as notify
from ..paging import Page, PageRequest
from ..privacy.pii_scan import scan_for_household
from ..purchases import figures as purchase_figures
from ..registry.models import Household
from . import evidence_forms, evidence_state
from .models import Fulfilment


@dataclass
class EvidenceInput:
    delivered_on: date
    summary: str
    amount_fen: int | None = None
    quantity: int | None = None
    hours: float | None = None
    # Form-specific (evidence_forms.FIGURES): whatever the need's form does not use is dropped on submit.
    service_from: date | None = None
    item: str | None = None
    acceptance: str | None = None
    acceptance_note: str | None = None
    confirmation_code: str | None = None  # the household's 6 digits from the delivery slip, if given


def submit(session: Session, actor, claim: Claim, data: EvidenceInput, today: date | None = None) -> Fulfilment:
    claims.check_owner(actor, claim)
    if evidence_state.claim_state(claim):  # before the form's checks: a resubmission hears it is already in
        raise Conflict(evidence_state.claim_state(claim))
    today = today or date.today()
    need = session.get(Need, claim.need_id)
    summary = (data.summary or "").strip()
    if len(summary) < 4:
        raise Invalid(_("请用至少4个字说明帮扶内容（做了什么、交付了什么）。"), "summary")
    scan_for_household(session, need.household_id, {"summary": summary})
    if data.delivered_on > today:
        raise Invalid(_("交付日期不能晚于今天。"), "delivered_on")
    earliest = claim.claimed_at.date() - timedelta(days=1)
    if data.delivered_on < earliest:
        raise Invalid(_("交付日期不能早于认领日期。"), "delivered_on")
    figures = evidence_forms.fitted(session, need, data, data.delivered_on, earliest)
    code = evidence_forms.normal_code(data.confirmation_code)
    evidence_forms.require_files(session, need, claim=claim)
    evidence_forms.enter_code(session, actor, code, claim=claim)
    lifecycle.move(session, need, "submit", actor.id)
    fulfilment = Fulfilment(need_id=need.id, claim_id=claim.id, submitted_by_id=actor.id,
                            delivered_on=data.delivered_on, summary=summary, **figures.columns())
    claim.status = "submitted"
    session.add(fulfilment)
    session.flush()
    evidence_files.attach(session, claim=claim, fulfilment=fulfilment)
    notify.evidence_submitted(session, need, fulfilment)  # the region's verifiers, after commit
    return fulfilment


def _reviewable(session: Session, actor, fulfilment: Fulfilment) -> tuple[Need, Claim]:
    need = session.get(Need, fulfilment.need_id)
    require_staff_for(actor, need.region_code, duty="verification")
    if fulfilment.submitted_by_id == actor.id:
        raise Forbidden(_("核验人不能是提交凭证的人。"))
    if need.created_by_id == actor.id:
        raise Forbidden(_("发布需求的工作人员不能核验同一需求，请由另一名工作人员核验。"))
    return need, session.get(Claim, fulfilment.claim_id)


def verify(session: Session, actor, fulfilment: Fulfilment, *, slip_checked: bool = False) -> Fulfilment:
    """`slip_checked`: the verifier looked at the photographed, signed delivery slip and accepts it as the
    household's confirmation."""
    need, claim = _reviewable(session, actor, fulfilment)
    confirmed = confirmation.for_verification(session, actor, need, claim=claim, slip_checked=slip_checked)
    lifecycle.move(session, need, "verify", actor.id)
    fulfilment.status, fulfilment.reviewed_by_id, fulfilment.reviewed_at = "verified", actor.id, utcnow()
    fulfilment.confirmation = confirmed
    claim.status, claim.ended_at = "completed", utcnow()
    source = "volunteer" if claim.organization_id is None else "charity"
    entry = ledger.append(
        session, session.get(Household, need.household_id), source=source,
        # Who paid (资金来源): a purchase project's need is 政府购买服务 and counts against the project.
        **purchase_figures.chain_terms(session, need, source, claim.organization_id),
        category=need.category, title=need.title, unit=need.unit,
        **evidence_forms.chain_figures(need.form, fulfilment),  # only the form's own figures reach the chain
        occurred_on=fulfilment.delivered_on, organization_id=claim.organization_id, need_id=need.id,
        fulfilment_id=fulfilment.id, recorded_by_id=fulfilment.submitted_by_id, verified_by_id=actor.id,
        # The facts duplicate rules compare, and a 一事一议 override, go on the chain with the aid.
        period_start=need.period_start, period_end=need.period_end, member_ref=need.member_ref,
        item_key=need.item_key, note=f"一事一议：{need.override_reason}"[:500] if need.override_reason else None,
        confirmation=confirmed,
    )
    purchase_figures.entry_verified(session, entry)
    tally.on_reviewed(session, need, organization_id=claim.organization_id, claimed_at=claim.claimed_at,
                      submitted_at=fulfilment.submitted_at, outcome="verified", confirmation=confirmed)
    session.flush()
    notify.fulfilment_reviewed(session, need, fulfilment)
    return fulfilment


def reject(session: Session, actor, fulfilment: Fulfilment, reason: str) -> Fulfilment:
    need, claim = _reviewable(session, actor, fulfilment)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("退回凭证须填写原因。"), "reason")
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("退回原因")})
    lifecycle.move(session, need, "reject", actor.id, reason)
    fulfilment.status, fulfilment.reviewed_by_id, fulfilment.reviewed_at = "rejected", actor.id, utcnow()
    fulfilment.review_reason = reason
    claim.status, claim.ended_at, claim.end_reason = "rejected", utcnow(), reason
    tally.on_reviewed(session, need, organization_id=claim.organization_id, claimed_at=claim.claimed_at,
                      submitted_at=fulfilment.submitted_at, outcome="rejected", confirmation=None)
    session.flush()
    notify.fulfilment_reviewed(session, need, fulfilment)
    return fulfilment


def get(session: Session, fulfilment_id: int) -> Fulfilment:
    return found(session.get(Fulfilment, fulfilment_id), _("凭证"))


def reviewed(session: Session, actor, status: str, want: PageRequest = PageRequest()) -> Page:
    """Evidence already verified or returned in the staff member's region subtree, newest first, as
    (Fulfilment, Need) pairs. Not counted: the list only grows; the region is checked row by row as in
    `queue`, walking the primary key backwards until the page is full."""
    prefix = scope_prefix(actor.region_code or "")
    if not prefix.isdigit():
        return paging.of_rows([], want)
    need_region = select(Need.region_code).where(Need.id == Fulfilment.need_id).scalar_subquery()
    done_ = (select(Fulfilment.id)
             .where(Fulfilment.status == status, func.substr(need_region, 1, len(prefix)) == prefix)
             .order_by(Fulfilment.id.desc()))
    page = paging.uncounted(session, done_, want, scalars=True)
    rows = dict((f.id, (f, n)) for f, n in session.execute(
        select(Fulfilment, Need).join(Need, Need.id == Fulfilment.need_id).where(Fulfilment.id.in_(page.items))))
    return page.with_items(rows[i] for i in page.items if i in rows)


def queue(session: Session, actor, want: PageRequest = PageRequest()) -> Page:
    """Evidence awaiting review in the staff member's region subtree, oldest first: a page of
    (Fulfilment, Need) pairs."""
    # Evidence awaiting review is a few thousand rows at most; a city's needs are hundreds of thousands.
    # Joined to the need for its region, both planners read every need of the city (SQLite through the
    # region index, PostgreSQL by a hash join). So the waiting evidence is filtered by its need's region
    # looked up row by row (a primary-key probe each), counted and cut to the page alone, and only the
    # page's rows are joined to their needs.
    prefix = scope_prefix(actor.region_code or "")
    if not prefix.isdigit():
        return paging.counted(session, select(Fulfilment.id).where(false()), want, scalars=True)
    need_region = select(Need.region_code).where(Need.id == Fulfilment.need_id).scalar_subquery()
    waiting = (select(Fulfilment.id)
               .where(Fulfilment.status == "submitted", func.substr(need_region, 1, len(prefix)) == prefix)
               .order_by(Fulfilment.submitted_at, Fulfilment.id))
    page = paging.counted(session, waiting, want, scalars=True)
    rows = dict((f.id, (f, n)) for f, n in session.execute(
        select(Fulfilment, Need).join(Need, Need.id == Fulfilment.need_id).where(Fulfilment.id.in_(page.items))))
    return page.with_items(rows[i] for i in page.items if i in rows)
