"""Claim discipline: an organisation may not sit on more needs than it can carry, and a claim it cannot
carry goes to another organisation only when that organisation accepts it. Every step is written to the
need's history. Services flush, never commit."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from ..auth.access import found, require_role
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _, day, is_english
from ..modelbase import utcnow
from ..needs import lifecycle
from ..needs.models import Need
from ..notify import emitters as notify
from ..organizations.models import Organization
from ..privacy.pii_scan import scan_for_household
from .models import Claim, ClaimTransfer

HELD = ("active", "started")
TRANSFER_HOURS = 72


def stale_claims(session: Session, actor, start_days: int) -> list[tuple[Claim, Need]]:
    """Claims the actor's organisation (or the volunteer alone) has held for longer than the start
    deadline without finishing them: taken on, and not yet evidenced."""
    cutoff = utcnow() - timedelta(days=start_days)
    holder = (Claim.organization_id == actor.organization_id) if actor.organization_id else \
        (Claim.claimant_id == actor.id)
    return list(session.execute(
        select(Claim, Need).join(Need, Need.id == Claim.need_id)
        .where(holder, Claim.status.in_(HELD), Claim.claimed_at < cutoff).order_by(Claim.claimed_at)
    ).all())


def check_quota(session: Session, actor, start_days: int, limit: int) -> None:
    """Refuses a new claim while more than `limit` old claims are held, naming them."""
    stale = stale_claims(session, actor, start_days)
    if len(stale) > limit:
        titles = (", " if is_english() else "、").join(
            _("「%(title)s」（%(day)s 认领）", title=need.title, day=day(claim.claimed_at)) for claim, need in stale[:10])
        values = {"count": len(stale), "days": start_days, "limit": limit, "titles": titles}
        if actor.organization_id:
            raise Conflict(_("您所在组织有%(count)s项认领超过%(days)s天仍未完成（上限%(limit)s项）：%(titles)s。"
                             "请先提交凭证、放弃或转交其中一些，再认领新的需求。", **values))
        raise Conflict(_("您有%(count)s项认领超过%(days)s天仍未完成（上限%(limit)s项）：%(titles)s。"
                         "请先提交凭证、放弃或转交其中一些，再认领新的需求。", **values))


def _approved_org(session: Session, org_id: int | None, refusal: str) -> Organization:
    """`refusal`: the sentence (marked with N_) said when the organisation cannot take claims on."""
    org = session.get(Organization, org_id) if org_id else None
    if org is None or org.status != "approved":
        raise Forbidden(_(refusal))
    return org


def open_transfer(session: Session, claim: Claim) -> ClaimTransfer | None:
    return session.scalars(select(ClaimTransfer).where(ClaimTransfer.claim_id == claim.id,
                                                       ClaimTransfer.status == "requested")).first()


def request_transfer(session: Session, actor, claim: Claim, to_org_id: int, reason: str) -> ClaimTransfer:
    from .service import check_owner

    check_owner(actor, claim)
    require_role(actor, "charity")
    if claim.status not in HELD:
        raise Conflict(_("只有进行中的认领可以转交。"))
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise Invalid(_("转交须填写原因（2至500字）。"), "reason")
    scan_for_household(session, session.get(Need, claim.need_id).household_id, {"reason": reason},
                       labels={"reason": _("转交原因")})
    target = _approved_org(session, to_org_id, N_("接收组织尚未通过民政部门审核或已暂停，不能接手认领。"))
    if target.id == claim.organization_id:
        raise Invalid(_("不能转交给本组织。"), "to_organization_id")
    if open_transfer(session, claim):
        raise Conflict(_("该认领已有一个待接受的转交申请，请等待对方答复或先撤回。"))
    now = utcnow()
    transfer = ClaimTransfer(claim_id=claim.id, from_organization_id=claim.organization_id,
                             to_organization_id=target.id, requested_by_id=actor.id, reason=reason,
                             requested_at=now, expires_at=now + timedelta(hours=TRANSFER_HOURS))
    session.add(transfer)
    lifecycle.note(session, session.get(Need, claim.need_id), actor.id,
                   f"申请转交给「{target.name}」：{reason}（{TRANSFER_HOURS}小时内未接受则失效）")
    session.flush()
    notify.transfer_changed(session, transfer, claim, TRANSFER_HOURS)
    return transfer


def _decide(session: Session, transfer: ClaimTransfer, status: str, actor_id: int | None) -> bool:
    """One conditional update, so an acceptance racing a lapse or a withdrawal has a single outcome."""
    result = session.execute(
        update(ClaimTransfer)
        .where(ClaimTransfer.id == transfer.id, ClaimTransfer.status == "requested")
        .values(status=status, decided_by_id=actor_id, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    session.refresh(transfer)
    return result.rowcount == 1


def accept_transfer(session: Session, actor, transfer: ClaimTransfer, start_days: int, limit: int) -> Claim:
    require_role(actor, "charity")
    if actor.organization_id != transfer.to_organization_id:
        raise Forbidden(_("这不是转给您所在组织的申请。"))
    receiver = _approved_org(session, actor.organization_id, N_("您所在的组织尚未通过民政部门审核或已暂停，不能接手认领。"))
    if transfer.status == "requested" and transfer.expires_at < utcnow():
        lapse_overdue(session)
    check_quota(session, actor, start_days, limit)
    if not _decide(session, transfer, "accepted", actor.id):
        raise Conflict(_(_CANNOT_ACCEPT.get(transfer.status, N_("该转交申请已处理。"))))
    claim = session.get(Claim, transfer.claim_id)
    if claim.status not in HELD:
        raise Conflict(_("该认领已结束，不能转交。"))
    claim.organization_id, claim.claimant_id = receiver.id, actor.id
    lifecycle.note(session, session.get(Need, claim.need_id), actor.id, f"「{receiver.name}」接受转交，接手此认领")
    session.flush()
    notify.transfer_changed(session, transfer, claim, TRANSFER_HOURS)
    return claim


def decline_transfer(session: Session, actor, transfer: ClaimTransfer, reason: str) -> None:
    require_role(actor, "charity")
    if actor.organization_id != transfer.to_organization_id:
        raise Forbidden(_("这不是转给您所在组织的申请。"))
    if not _decide(session, transfer, "declined", actor.id):
        raise Conflict(_("该转交申请已处理。"))
    claim = session.get(Claim, transfer.claim_id)
    lifecycle.note(session, session.get(Need, claim.need_id), actor.id,
                   f"接收组织谢绝转交：{(reason or '').strip() or '未说明原因'}")
    session.flush()


def cancel_transfer(session: Session, actor, transfer: ClaimTransfer) -> None:
    from .service import check_owner

    check_owner(actor, session.get(Claim, transfer.claim_id))
    if not _decide(session, transfer, "cancelled", actor.id):
        raise Conflict(_("该转交申请已处理。"))
    claim = session.get(Claim, transfer.claim_id)
    lifecycle.note(session, session.get(Need, claim.need_id), actor.id, "撤回转交申请")
    session.flush()


def lapse_overdue(session: Session, now=None) -> int:
    """Requests nobody accepted within 72 hours lapse; the claim stays with its holder (worker)."""
    now = now or utcnow()
    lapsed = 0
    for transfer in session.scalars(select(ClaimTransfer).where(ClaimTransfer.status == "requested",
                                                                ClaimTransfer.expires_at < now)).all():
        if _decide(session, transfer, "lapsed", None):
            claim = session.get(Claim, transfer.claim_id)
            lifecycle.note(session, session.get(Need, claim.need_id), None,
                           f"转交申请{TRANSFER_HOURS}小时内未被接受，已失效，认领仍由原组织负责")
            notify.transfer_changed(session, transfer, claim, TRANSFER_HOURS)
            lapsed += 1
    session.flush()
    return lapsed


def incoming(session: Session, actor) -> list[tuple[ClaimTransfer, Claim, Need]]:
    if not actor.organization_id:
        return []
    return list(session.execute(
        select(ClaimTransfer, Claim, Need).join(Claim, Claim.id == ClaimTransfer.claim_id)
        .join(Need, Need.id == Claim.need_id)
        .where(ClaimTransfer.to_organization_id == actor.organization_id, ClaimTransfer.status == "requested")
        .order_by(ClaimTransfer.requested_at)).all())


def get_transfer(session: Session, transfer_id: int) -> ClaimTransfer:
    return found(session.get(ClaimTransfer, transfer_id), _("转交申请"))


_CANNOT_ACCEPT = {"accepted": N_("该转交申请已被接受，不能再接受。"), "declined": N_("该转交申请已被谢绝，不能再接受。"),
                  "cancelled": N_("该转交申请已撤回，不能再接受。"), "lapsed": N_("该转交申请已失效，不能再接受。")}
