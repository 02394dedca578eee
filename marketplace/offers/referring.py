"""定向转介: staff refer an open need to an offer, the offer's organisation accepts or declines it.

Referring places a hold on the need for the organisation (needs/holds.py: one conditional UPDATE, so of two
staff referring the same need to two offers exactly one wins). Accepting takes the referral's amount off
the offer's remainder by one conditional UPDATE (never below zero: of two acceptances against the last of
a budget one wins) and claims the need for the accepting member in the same transaction. A referral whose
hold lapsed is shown as 已过期 from then on, computed when read: nothing has to run for it."""

from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select, update
from sqlmodel import Session

from ..auth.access import found, require_duty, require_staff_for
from ..claims import service as claims
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _, money, translate
from ..modelbase import utcnow
from ..needs import holds, lifecycle
from ..needs.models import Need
from ..privacy.pii_scan import scan_for_household
from ..vocabulary import NEED_REFERRAL_STATUSES, NEED_STATUSES, OFFER_STATUSES, label
from . import service
from .models import NeedReferral, ResourceOffer, ResourceOfferRegion


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def shown_status(referral: NeedReferral, now: datetime | None = None) -> str:
    """pending past its hold reads 已过期 (lapsed)."""
    if referral.status == "pending" and _aware(referral.reserved_until) <= (now or utcnow()):
        return "lapsed"
    return referral.status


def serves(session: Session, offer: ResourceOffer, region_code: str) -> bool:
    places = session.scalars(select(ResourceOfferRegion.region_code)
                             .where(ResourceOfferRegion.offer_id == offer.id)).all()
    return any(region_code.startswith(place) for place in places)


def fit_refusal(session: Session, offer: ResourceOffer, need: Need, tier: str, today) -> str | None:
    """Why `need` does not fit `offer` (a sentence), or None."""
    if need.category not in service.codes(offer.categories):
        return _("该需求的类别不在项目的帮扶类别内。")
    if need.form not in service.codes(offer.forms):
        return _("该需求的形式不在项目的帮扶形式内。")
    if offer.tiers and tier not in service.codes(offer.tiers):
        return _("该户的救助类别不在项目的对象类别内。")
    if not serves(session, offer, need.region_code):
        return _("该需求所在地区不在项目的服务地区内。")
    if offer.status != "open" or offer.ends_on < today:
        return _("该项目已结束或已撤回，不能再转介。")
    return None


def take(offer: ResourceOffer, need: Need) -> tuple[int | None, int | None]:
    """(fen, units) accepting would take from the offer: the need's amount, no more than the per-household
    cap; a need without an amount (a service) takes the cap, or one unit of a quantity offer."""
    if offer.budget_fen is not None:
        asked = need.target_amount_fen
        amount = min(x for x in (asked, offer.cap_fen) if x) if (asked or offer.cap_fen) else None
        if amount is None:
            raise Conflict(_("该需求没有金额，项目也未设每户上限，无法确定占用多少预算。请先为项目设定每户上限。"))
        return amount, None
    asked = need.target_quantity if need.form == "goods" and need.target_quantity else 1
    return None, min(asked, offer.cap_quantity) if offer.cap_quantity else asked


def unit_shown(offer: ResourceOffer) -> str:
    """A unit the interface knows (件) in the reader's language; any other is the organisation's word."""
    return translate(offer.unit) if offer.unit else ""


def taken_shown(offer: ResourceOffer, referral: NeedReferral) -> str:
    if referral.amount_fen is not None:
        return money(referral.amount_fen)
    return f"{referral.quantity or 0} {unit_shown(offer)}".rstrip()


def refer(session: Session, actor, need: Need, offer: ResourceOffer, days: int, today) -> NeedReferral:
    require_duty(actor, "need_posting")
    require_staff_for(actor, need.region_code)
    from ..registry.models import Household

    tier = session.scalar(select(Household.tier).where(Household.id == need.household_id))
    if need.status != "open":
        raise Conflict(_("该需求当前状态为「%(status)s」，不能转介。", status=label(NEED_STATUSES, need.status)))
    if need.pledged_fen or need.pledged_quantity:
        raise Conflict(_("该需求已有组织部分认捐，不能再整体转介给一个项目。"))
    refusal = fit_refusal(session, offer, need, tier, today)
    if refusal:
        raise Conflict(refusal)
    amount, quantity = take(offer, need)
    short = (amount > (offer.remaining_fen or 0)) if amount is not None else (quantity > (offer.remaining_quantity or 0))
    if short:
        raise Conflict(_("项目剩余额度不足以承接该需求（尚余 %(left)s）。", left=remaining_shown(offer)))
    until = utcnow() + timedelta(days=days)
    if not holds.place(session, need, offer.organization_id, until, "referral"):
        raise Conflict(_("该需求刚刚已被转介给其他项目、被认领或正由部门办理，本次转介未成功。请刷新后查看。"))
    now = utcnow()
    # An older referral of this need that lapsed unanswered is over for good: it cannot be accepted late.
    session.execute(update(NeedReferral).where(NeedReferral.need_id == need.id, NeedReferral.status == "pending")
                    .values(status="lapsed", decided_at=now).execution_options(synchronize_session=False))
    referral = NeedReferral(need_id=need.id, offer_id=offer.id, organization_id=offer.organization_id,
                            referred_by_id=actor.id, reserved_until=until, amount_fen=amount, quantity=quantity)
    session.add(referral)
    session.flush()
    lifecycle.note(session, need, actor.id, f"定向转介给慈善项目「{offer.title}」，保留至 {until:%Y-%m-%d}")
    _mail_organization(session, need, offer, referral)
    return referral


def remaining_shown(offer: ResourceOffer) -> str:
    if offer.budget_fen is not None:
        return money(offer.remaining_fen or 0)
    return f"{offer.remaining_quantity or 0} {unit_shown(offer)}".rstrip()


def _mail_organization(session: Session, need: Need, offer: ResourceOffer, referral: NeedReferral) -> None:
    from ..notify import messages

    context = {**messages.need_context(session, need), "offer_title": offer.title,
               "until": referral.reserved_until.strftime("%Y-%m-%d"), "path": "/my/offer-referrals"}
    messages.send_each(session, "offer.referred", messages.org_admins(session, offer.organization_id), context,
                       f"offer.referred:{referral.id}")


def own_referral(session: Session, actor, referral_id: int) -> NeedReferral:
    org = service.managing_organization(session, actor)
    referral = found(session.get(NeedReferral, referral_id), N_("定向转介"))
    if referral.organization_id != org.id:
        raise Forbidden(_("这不是转介给您所在组织的需求。"))
    return referral


def _require_pending(referral: NeedReferral) -> None:
    status = shown_status(referral)
    if status == "lapsed":
        raise Conflict(_("该转介的保留期已过，不能再接受。如仍愿承接，请联系民政工作人员重新转介。"))
    if status != "pending":
        raise Conflict(_("该转介当前状态为「%(status)s」，不能再答复。", status=label(NEED_REFERRAL_STATUSES, status)))


def accept(session: Session, actor, referral: NeedReferral, start_days: int = 7):
    """The need becomes the accepting member's claim; the offer's remainder drops in the same transaction."""
    own_referral(session, actor, referral.id)
    _require_pending(referral)
    offer = session.get(ResourceOffer, referral.offer_id)
    if offer.status != "open":
        raise Conflict(_("该项目当前状态为「%(status)s」，不能再接受转介。", status=label(OFFER_STATUSES, offer.status)))
    if referral.amount_fen is not None:
        column, amount = ResourceOffer.remaining_fen, referral.amount_fen
    else:
        column, amount = ResourceOffer.remaining_quantity, referral.quantity or 0
    result = session.execute(
        update(ResourceOffer).where(ResourceOffer.id == offer.id, ResourceOffer.status == "open", column >= amount)
        .values({column: column - amount, ResourceOffer.updated_at: utcnow()})
        .execution_options(synchronize_session=False))
    session.refresh(offer)
    if result.rowcount != 1:
        raise Conflict(_("项目剩余额度不足（尚余 %(left)s，本次需占用 %(take)s），不能接受。可谢绝该转介，或调高项目总额后再接受。",
                         left=remaining_shown(offer), take=taken_shown(offer, referral)))
    need = session.get(Need, referral.need_id)
    claim = claims.claim_need(session, actor, need, start_days)
    holds.release(session, need, "referral")
    referral.status, referral.decided_by_id, referral.decided_at = "accepted", actor.id, utcnow()
    referral.claim_id = claim.id
    with force_locale("zh_CN"):  # the history is stored in one language, whoever accepted
        taken = taken_shown(offer, referral)
    lifecycle.note(session, need, actor.id, f"接受定向转介（慈善项目「{offer.title}」，占用 {taken}）")
    session.flush()
    return claim


def decline(session: Session, actor, referral: NeedReferral, reason: str) -> NeedReferral:
    own_referral(session, actor, referral.id)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("谢绝须填写原因，便于民政工作人员另行安排。"), "reason")
    _require_pending(referral)
    need = session.get(Need, referral.need_id)
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("谢绝原因")})
    referral.status, referral.decided_by_id, referral.decided_at, referral.reason = "declined", actor.id, utcnow(), reason
    holds.release(session, need, "referral")
    lifecycle.note(session, need, actor.id, f"谢绝定向转介：{reason}")
    session.flush()
    return referral


def cancel_pending(session: Session, offer: ResourceOffer, actor_id: int | None) -> int:
    """An offer closed or withdrawn: its unanswered referrals end and their needs return to the list."""
    rows = session.scalars(select(NeedReferral).where(NeedReferral.offer_id == offer.id,
                                                      NeedReferral.status == "pending")).all()
    for referral in rows:
        need = session.get(Need, referral.need_id)
        if shown_status(referral) == "pending" and need.hold_kind == "referral" \
                and need.held_by_org_id == offer.organization_id:
            holds.release(session, need, "referral")
            lifecycle.note(session, need, actor_id, f"慈善项目「{offer.title}」已结束，定向转介取消")
        referral.status, referral.decided_at = "cancelled", utcnow()
    session.flush()
    return len(rows)
