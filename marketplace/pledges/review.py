"""Evidence for one pledge and its review by staff. Each verified pledge is its own chain entry, appended
in the same transaction as the verification, so a verified pledge always has its entry."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from .. import paging
from ..auth.access import found, in_scope_sql, require_staff_for
from ..confirmation import service as confirmation
from ..errors import Forbidden, Invalid
from ..evaluation import tally
from ..evidence import service as evidence_files
from ..fulfilment import evidence_forms
from ..i18n import N_, _
from ..ledger import service as ledger
from ..modelbase import utcnow
from ..needs import lifecycle
from ..needs.models import Need
from ..organizations.models import Organization
from ..paging import Page, PageRequest
from ..privacy.pii_scan import scan_for_household
from ..purchases import figures as purchase_figures
from ..registry.models import Household
from .models import Pledge
from .service import amount_text, check_owner, release_amount, require_status


@dataclass
class PledgeEvidence:
    delivered_on: date  # money: the payment date; goods: the delivery date
    summary: str
    confirmation_code: str | None = None  # the household's 6 digits from the delivery slip, if given


def submit(session: Session, actor, row: Pledge, data: PledgeEvidence, today: date | None = None) -> Pledge:
    """The pledging organisation says the pledged amount was delivered. The need's status is not
    touched: it stays open until covered, and is verified only when every live pledge is."""
    check_owner(actor, row)
    today = today or date.today()
    summary = (data.summary or "").strip()
    if len(summary) < 4:
        raise Invalid(_("请用至少4个字说明帮扶内容（交付了什么、如何交付）。"), "summary")
    if data.delivered_on is None or data.delivered_on > today:
        raise Invalid(_("交付日期不能晚于今天。"), "delivered_on")
    if data.delivered_on < row.pledged_at.date() - timedelta(days=1):
        raise Invalid(_("交付日期不能早于认捐日期。"), "delivered_on")
    require_status(row, ("pledged",), N_("该认捐当前状态为「%(status)s」，不能提交凭证。"))
    need = session.get(Need, row.need_id)
    if need.status not in ("open", "claimed"):
        raise Invalid(_("该需求已撤销或关闭，不能再提交认捐凭证。"), "summary")
    scan_for_household(session, need.household_id, {"summary": summary}, labels={"summary": _("交付情况说明")})
    code = evidence_forms.normal_code(data.confirmation_code)
    evidence_forms.require_files(session, need, pledge=row)  # money: a receipt; goods: a delivery photo
    evidence_forms.enter_code(session, actor, code, pledge=row)
    row.status, row.delivered_on, row.summary = "submitted", data.delivered_on, summary
    row.submitted_at, row.submitted_by_id = utcnow(), actor.id
    session.flush()
    evidence_files.attach(session, pledge=row)
    return row


def _reviewable(session: Session, actor, row: Pledge) -> Need:
    need = session.get(Need, row.need_id)
    require_staff_for(actor, need.region_code, duty="verification")
    if row.submitted_by_id == actor.id:
        raise Forbidden(_("核验人不能是提交凭证的人。"))
    if need.created_by_id == actor.id:
        raise Forbidden(_("发布需求的工作人员不能核验同一需求，请由另一名工作人员核验。"))
    require_status(row, ("submitted",), N_("该认捐当前状态为「%(status)s」，不能核验。"))
    return need


def verify(session: Session, actor, row: Pledge, *, slip_checked: bool = False) -> Pledge:
    need = _reviewable(session, actor, row)
    confirmed = confirmation.for_verification(session, actor, need, pledge=row, slip_checked=slip_checked)
    now = utcnow()
    row.status, row.reviewed_by_id, row.reviewed_at = "verified", actor.id, now
    row.confirmation = confirmed
    org = session.get(Organization, row.organization_id)
    note = f"认捐（{org.name}）：{amount_text(need, row.amount_fen or row.quantity)}"
    if need.override_reason:
        note = f"{note}；一事一议：{need.override_reason}"
    entry = ledger.append(
        session, session.get(Household, need.household_id), source="charity", category=need.category,
        title=need.title, amount_fen=row.amount_fen, quantity=row.quantity, unit=need.unit if row.quantity else None,
        hours=None, occurred_on=row.delivered_on, organization_id=row.organization_id, need_id=need.id,
        recorded_by_id=row.submitted_by_id, verified_by_id=actor.id,
        # The facts duplicate rules compare go on the chain with the aid, as for a whole-need fulfilment.
        period_start=need.period_start, period_end=need.period_end, member_ref=need.member_ref,
        item_key=need.item_key, note=note[:500], confirmation=confirmed,
        **purchase_figures.chain_terms(session, need, "charity", row.organization_id),  # 慈善资金 or 企业捐赠
    )
    row.ledger_entry_id = entry.id
    tally.on_reviewed(session, need, organization_id=row.organization_id, claimed_at=row.pledged_at,
                      submitted_at=row.submitted_at, outcome="verified", confirmation=confirmed)
    session.flush()
    lifecycle.note(session, need, actor.id, f"核验认捐（{org.name}）：{amount_text(need, row.amount_fen or row.quantity)}")
    if need.status == "claimed" and not _unverified(session, need):
        lifecycle.move(session, need, "complete", actor.id, "认捐足额且全部核验")
    session.flush()
    return row


def _unverified(session: Session, need: Need) -> int:
    return session.scalar(select(func.count()).select_from(Pledge).where(
        Pledge.need_id == need.id, Pledge.status.in_(("pledged", "submitted"))))


def reject(session: Session, actor, row: Pledge, reason: str) -> Pledge:
    """Rejected evidence frees the pledge's amount: the need reopens for it (the organisation may pledge
    again once it can show delivery)."""
    need = _reviewable(session, actor, row)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("退回凭证须填写原因。"), "reason")
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("退回原因")})
    now = utcnow()
    row.status, row.reviewed_by_id, row.reviewed_at = "rejected", actor.id, now
    row.ended_at, row.end_reason = now, reason
    tally.on_reviewed(session, need, organization_id=row.organization_id, claimed_at=row.pledged_at,
                      submitted_at=row.submitted_at, outcome="rejected", confirmation=None)
    org = session.get(Organization, row.organization_id)
    release_amount(session, need, row, actor.id,
                   f"退回认捐凭证 {amount_text(need, row.amount_fen or row.quantity)}（{org.name}）：{reason}")
    session.flush()
    return row


def get(session: Session, pledge_id: int) -> Pledge:
    return found(session.get(Pledge, pledge_id), _("认捐"))


def reviewed(session: Session, actor, status: str, want: PageRequest = PageRequest()) -> Page:
    """Pledge evidence already verified or returned in the staff member's region subtree, newest first, as
    (Pledge, Need, organisation name); not counted, as the list only grows."""
    query = (select(Pledge, Need, Organization.name).join(Need, Need.id == Pledge.need_id)
             .join(Organization, Organization.id == Pledge.organization_id)
             .where(Pledge.status == status, in_scope_sql(actor, Need.region_code))
             .order_by(Pledge.id.desc()))
    page = paging.uncounted(session, query, want)
    return page.with_items((p, n, name) for p, n, name in page.items)


def queue(session: Session, actor, want: PageRequest = PageRequest()) -> Page:
    """Pledge evidence awaiting review in the staff member's region subtree, oldest first: a page of
    (Pledge, Need, organisation name)."""
    query = (select(Pledge, Need, Organization.name).join(Need, Need.id == Pledge.need_id)
             .join(Organization, Organization.id == Pledge.organization_id)
             .where(Pledge.status == "submitted", in_scope_sql(actor, Need.region_code))
             .order_by(Pledge.submitted_at, Pledge.id))
    page = paging.counted(session, query, want)
    return page.with_items((p, n, name) for p, n, name in page.items)
