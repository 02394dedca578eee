from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from .. import worklist
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..i18n import N_, _
from ..needs import listing
from ..organizations.models import Organization
from ..web import done, render
from . import discipline, service
from .models import Claim, ClaimTransfer

bp = Blueprint("claims", __name__)


TABS = [
    worklist.Tab("current", N_("进行中"), ("active", "started")),
    worklist.Tab("submitted", N_("待核验"), ("submitted",)),
    worklist.Tab("completed", N_("已完成"), ("completed",)),
    worklist.Tab("ended", N_("已结束"), ("released", "expired", "rejected", "cancelled")),
]


@bp.get("/my/claims")
@permission("fulfil.claim")
def mine():
    session = db()
    work = worklist.build(session, request.args, TABS, Claim, service.owned(current_user),
                          (Claim.claimed_at.desc(), Claim.id.desc()))
    # Title and area as public pages show them: a claim alone entitles to no more (see privacy.contact).
    needs = listing.projected(session, [c.need_id for c in work.page.items])
    org_names = dict(session.execute(select(Organization.id, Organization.name)).all())
    return render("claims/mine.html", work=work, needs=needs, org_names=org_names,
                  incoming=discipline.incoming(session, current_user))


@bp.get("/my/claims/<int:claim_id>")
@permission("fulfil.claim")
def item(claim_id: int):
    """One claim with what can be done with it now (start, extend, transfer, release, evidence, slip)."""
    session = db()
    claim = service.own_claim(session, current_user, claim_id)
    need = listing.projected(session, [claim.need_id])[claim.need_id]
    pending = session.scalars(select(ClaimTransfer).where(ClaimTransfer.claim_id == claim.id,
                                                          ClaimTransfer.status == "requested")).first()
    orgs = session.scalars(select(Organization).where(Organization.status == "approved",
                                                      Organization.id != (current_user.organization_id or 0))
                           .order_by(Organization.name)).all() if current_user.organization_id else []
    org_names = dict(session.execute(select(Organization.id, Organization.name)).all())
    return render("claims/item.html", claim=claim, need=need, pending=pending, orgs=orgs, org_names=org_names,
                  need_open=need.status in listing.PUBLIC_STATUSES)


@bp.post("/my/claims/<int:claim_id>/start")
@permission("fulfil.claim")
def start(claim_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    service.start(session, current_user, service.own_claim(session, current_user, claim_id))
    return done(_("已开始帮扶。完成后请提交凭证。"), "claims.item", trigger="claim-changed", claim_id=claim_id)


def _with_reason(claim_id: int, action, message: str):
    session = db()
    claim = service.own_claim(session, current_user, claim_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("请填写原因（2至500字）。"), "reason")
    action(session, current_user, claim, form.reason.data)
    return done(_(message), "claims.item", trigger="claim-changed", claim_id=claim_id)


@bp.post("/my/claims/<int:claim_id>/extend")
@permission("fulfil.claim")
def extend(claim_id: int):
    return _with_reason(claim_id, service.extend, N_("认领已延期7天（每个认领只能延期一次）。"))


@bp.post("/my/claims/<int:claim_id>/release")
@permission("fulfil.claim")
def release(claim_id: int):
    return _with_reason(claim_id, service.release, N_("已放弃认领，需求重新开放。"))


@bp.post("/my/claims/<int:claim_id>/transfer")
@permission("fulfil.claim")
def transfer(claim_id: int):
    session = db()
    claim = service.own_claim(session, current_user, claim_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("请填写转交原因（2至500字）。"), "reason")
    target = request.form.get("to_organization_id", "")
    if not target.isdigit():
        raise Invalid(_("请选择接收组织。"), "to_organization_id")
    discipline.request_transfer(session, current_user, claim, int(target), form.reason.data)
    return done(_("已发出转交申请，对方%(hours)s小时内接受后生效。", hours=discipline.TRANSFER_HOURS), "claims.item",
                trigger="claim-changed", claim_id=claim_id)


@bp.post("/my/transfers/<int:transfer_id>/<any(accept, decline, cancel):action>")
@permission("fulfil.claim")
def decide_transfer(transfer_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    transfer = discipline.get_transfer(session, transfer_id)
    if action == "accept":
        discipline.accept_transfer(session, current_user, transfer, current_app.config["CLAIM_START_DAYS"],
                                   current_app.config["CLAIM_STALE_LIMIT"])
        message = _("已接受转交，该认领现由本组织负责。")
    elif action == "decline":
        discipline.decline_transfer(session, current_user, transfer, request.form.get("reason", ""))
        message = _("已谢绝转交。")
    else:
        discipline.cancel_transfer(session, current_user, transfer)
        message = _("已撤回转交申请。")
    return done(message, "claims.mine", trigger="claim-changed")
