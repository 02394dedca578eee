from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.policy import permission
from ..claims import service as claims
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..needs import listing
from ..needs.models import Need
from ..registry.models import Household
from ..web import done, render
from . import service
from .forms import EvidenceForm
from .models import Fulfilment

bp = Blueprint("fulfilment", __name__)


@bp.route("/my/claims/<int:claim_id>/evidence", methods=["GET", "POST"])
@permission("fulfil.claim")
def evidence(claim_id: int):
    session = db()
    claim = claims.own_claim(session, current_user, claim_id)
    need = session.get(Need, claim.need_id)
    form = EvidenceForm()
    status = 200
    if form.validate_on_submit():
        data = service.EvidenceInput(
            delivered_on=form.delivered_on.data, summary=form.summary.data, amount_fen=form.amount.data,
            quantity=form.quantity.data, hours=float(form.hours.data) if form.hours.data is not None else None,
        )
        try:
            service.submit(session, current_user, claim, data)
        except Invalid as error:
            getattr(form, error.field, form.summary).errors.append(error.message)
        else:
            return done("凭证已提交，等待民政工作人员核验。", "claims.mine", trigger="claim-changed")
    if request.method == "POST":
        status = 422
    return render("fulfilment/evidence.html", form=form, claim=claim, need=listing.public_need(session, need),
                  status=status)


@bp.get("/staff/verify")
@permission("evidence.verify")
def queue():
    session = db()
    page = service.queue(session, current_user, paging.requested(request.args))
    tiers = dict(session.execute(select(Household.id, Household.tier).where(
        Household.id.in_([n.household_id for _, n in page.items]))).all())
    names = listing.area_names(session, {n.region_code for _, n in page.items})
    return render("fulfilment/queue.html", page=page, tiers=tiers, names=names, action_form=EmptyForm(),
                  reason_form=ReasonForm())


def _reviewable(fulfilment_id: int) -> Fulfilment:
    return service.get(db(), fulfilment_id)


@bp.post("/staff/verify/<int:fulfilment_id>/approve")
@permission("evidence.verify")
def approve(fulfilment_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.verify(db(), current_user, _reviewable(fulfilment_id))
    return done("已核验通过，帮扶已记入该户救助链。", "fulfilment.queue", trigger="queue-changed")


@bp.post("/staff/verify/<int:fulfilment_id>/reject")
@permission("evidence.verify")
def reject(fulfilment_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid("退回凭证须填写原因（2至500字）。", "reason")
    service.reject(db(), current_user, _reviewable(fulfilment_id), form.reason.data)
    return done("凭证已退回，需求重新开放认领。", "fulfilment.queue", trigger="queue-changed")
