"""Claiming a need and carrying the claim until evidence is submitted. Services flush, never commit."""

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import found, require_role
from ..duplicates.check import Proposed, check, describe
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..needs import holds, lifecycle
from ..needs.models import Need
from ..notify import emitters as notify
from ..organizations.models import Organization
from ..privacy.pii_scan import scan_for_household
from ..registry.models import Household
from ..vocabulary import CLAIM_STATUSES, label
from .discipline import check_quota
from .models import Claim

LIVE = ("active", "started", "submitted")
# Stored in Chinese (claim.end_reason, the need's history); the claim page translates it where shown.
EXPIRED_REASON = N_("认领后未按期开始，已自动释放")


def claim_need(session: Session, actor, need: Need, start_days: int = 7, stale_limit: int | None = None) -> Claim:
    require_role(actor, "charity", "volunteer")
    if actor.role == "charity":
        org = session.get(Organization, actor.organization_id) if actor.organization_id else None
        if org is None or org.status != "approved":
            raise Forbidden(_("您所在的组织尚未通过民政部门审核，暂不能认领需求。"))
    elif need.form != "service":
        raise Forbidden(_("志愿者个人只能认领服务类需求；资金、物资和改造需求须由认证组织认领。"))
    if stale_limit is not None:
        check_quota(session, actor, start_days, stale_limit)
    if need.pledged_fen or need.pledged_quantity:
        # Partial pledges (pledges/) hold part of the target; a whole-need claim would double it.
        raise Conflict(_("该需求已有组织部分认捐，不能整体认领。请在需求页面认捐剩余部分。"))
    _refuse_exact_duplicate(session, actor, need)
    # Held for a department or an offer's organisation, or a purchase project's: the version check in
    # move() catches a hold placed after this read.
    holds.check_open_to(need, actor.organization_id)
    lifecycle.move(session, need, "claim", actor.id)
    now = utcnow()
    claim = Claim(need_id=need.id, claimant_id=actor.id, organization_id=actor.organization_id,
                  status="active", claimed_at=now, expires_at=now + timedelta(days=start_days))
    session.add(claim)
    session.flush()
    notify.need_claimed(session, need, claim)  # the posting staff member hears, after commit
    return claim


def claim_refusal(session: Session, actor, need: Need) -> str | None:
    """Why `actor` could not claim `need` whatever they did on the page (their role or organisation), or
    None: pages offer 认领此需求 only where claim_need would not refuse it for that reason."""
    role = getattr(actor, "role", None)
    if role == "volunteer" and need.form != "service":
        return _("志愿者个人只能认领服务类需求；资金、物资和改造需求须由认证组织认领。")
    if role == "charity":
        org = session.get(Organization, actor.organization_id) if actor.organization_id else None
        if org is None or org.status != "approved":
            return _("您所在的组织尚未通过民政部门审核，暂不能认领需求。")
    if role in ("charity", "volunteer"):
        return holds.refusal(need, getattr(actor, "organization_id", None))
    return None


def _refuse_exact_duplicate(session: Session, actor, need: Need) -> None:
    """Aid already verified for the same household, category, period, member or item cannot be claimed
    again. A need staff posted with a 一事一议 reason was posted knowing the duplicates: not refused."""
    if need.override_reason:
        return
    matches = duplicate_matches(session, actor, need)
    exact = [m for m in matches if m.exact]
    if exact:
        raise Conflict(_("该户同期已获得同类帮扶，不能重复认领：%(matches)s。如情况特殊，请联系民政工作人员。",
                         matches=describe(exact)))


def duplicate_matches(session: Session, actor, need: Need) -> list:
    """What the need may duplicate, seen from `actor` about to claim it (their organization is the provider)."""
    household = session.get(Household, need.household_id)
    org_id = getattr(actor, "organization_id", None)
    return check(session, household, Proposed.of_need(need, organization_id=org_id, exclude_need_id=need.id))


def own_claim(session: Session, actor, claim_id: int) -> Claim:
    """The claim, if `actor` made it or belongs to the claiming organization."""
    return check_owner(actor, found(session.get(Claim, claim_id), _("认领")))


def check_owner(actor, claim: Claim) -> Claim:
    require_role(actor, "charity", "volunteer")
    same_org = claim.organization_id is not None and claim.organization_id == actor.organization_id
    if claim.claimant_id != actor.id and not same_org:
        raise Forbidden(_("这不是您的认领。"))
    return claim


def start(session: Session, actor, claim: Claim) -> Claim:
    check_owner(actor, claim)
    _require_status(claim, ("active",), N_("该认领当前状态为「%(status)s」，不能开始帮扶。"))
    lifecycle.move(session, _need(session, claim), "start", actor.id)
    claim.status, claim.started_at = "started", utcnow()
    session.flush()
    return claim


def extend(session: Session, actor, claim: Claim, reason: str, days: int = 7) -> Claim:
    check_owner(actor, claim)
    _require_status(claim, ("active",), N_("该认领当前状态为「%(status)s」，不能延期。"))
    if claim.extended:
        raise Conflict(_("每个认领只能延期一次。"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("延期须填写原因。"), "reason")
    scan_for_household(session, _need(session, claim).household_id, {"reason": reason}, labels={"reason": _("延期原因")})
    claim.expires_at = claim.expires_at + timedelta(days=days)
    claim.extended, claim.extension_reason = True, reason
    lifecycle.note(session, _need(session, claim), actor.id, f"认领延期{days}天：{reason}")
    session.flush()
    return claim


def release(session: Session, actor, claim: Claim, reason: str) -> Claim:
    check_owner(actor, claim)
    _require_status(claim, ("active", "started"), N_("该认领当前状态为「%(status)s」，不能放弃认领。"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("放弃认领须填写原因，便于民政部门重新安排。"), "reason")
    scan_for_household(session, _need(session, claim).household_id, {"reason": reason}, labels={"reason": _("放弃原因")})
    lifecycle.move(session, _need(session, claim), "release", actor.id, reason)
    _end(claim, "released", reason)
    session.flush()
    return claim


def expire_overdue(session: Session, now=None) -> int:
    """Claims not started in time are released and the need reopens (run by the worker)."""
    now = now or utcnow()
    overdue = session.scalars(select(Claim).where(Claim.status == "active", Claim.expires_at < now)).all()
    released = 0
    for claim in overdue:
        try:
            lifecycle.move(session, _need(session, claim), "expire_claim", None, EXPIRED_REASON)
        except Conflict:
            continue  # started or cancelled meanwhile
        _end(claim, "expired", EXPIRED_REASON)
        notify.claim_expired(session, claim, _need(session, claim))
        released += 1
    session.flush()
    return released


def end_active_claims(session: Session, need: Need, status: str, reason: str) -> None:
    for claim in session.scalars(select(Claim).where(Claim.need_id == need.id, Claim.status.in_(LIVE))):
        _end(claim, status, reason)
    session.flush()


def live_claim(session: Session, need: Need) -> Claim | None:
    return session.scalars(select(Claim).where(Claim.need_id == need.id, Claim.status.in_(LIVE))).first()


def claims_of(session: Session, actor) -> list[Claim]:
    return list(session.scalars(select(Claim).where(owned(actor)).order_by(Claim.claimed_at.desc())))


def owned(actor):
    """The claims `actor` may carry: their own and their organisation's (as check_owner decides)."""
    require_role(actor, "charity", "volunteer")
    mine = Claim.claimant_id == actor.id
    if actor.organization_id:
        mine = mine | (Claim.organization_id == actor.organization_id)
    return mine


def _end(claim: Claim, status: str, reason: str) -> None:
    claim.status, claim.ended_at, claim.end_reason = status, utcnow(), reason


def _need(session: Session, claim: Claim) -> Need:
    return session.get(Need, claim.need_id)


def _require_status(claim: Claim, allowed: tuple[str, ...], message: str) -> None:
    """`message`: a sentence marked with N_ naming the action refused, with the claim's %(status)s."""
    if claim.status not in allowed:
        raise Conflict(_(message, status=label(CLAIM_STATUSES, claim.status)))
