from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.policy import permission
from ..claims import service as claims
from ..claims.models import Claim
from ..db import db
from ..errors import Invalid
from ..forms import ReasonForm
from ..i18n import _
from ..needs import listing
from ..needs.models import Need
from ..organizations.models import Organization
from ..registry.models import Household
from ..web import done, render
from . import evidence_forms, evidence_page, evidence_state, queues, service, verification
from .forms import ApproveForm, EvidenceForm
from .models import Fulfilment

bp = Blueprint("fulfilment", __name__)


@bp.route("/my/claims/<int:claim_id>/evidence", methods=["GET", "POST"])
@permission("fulfil.claim")
def evidence(claim_id: int):
    session = db()
    claim = claims.own_claim(session, current_user, claim_id)
    need = session.get(Need, claim.need_id)
    state = evidence_state.claim_state(claim)
    if state:  # submitted already (the back button, a second tab) or not started: say so, not the form
        return render("fulfilment/evidence_state.html", heading=_("帮扶凭证"), state=state,
                      need=listing.public_need(session, need), status_label=claim.status,
                      back=url_for("claims.item", claim_id=claim.id), back_label=_("返回该认领"),
                      status=409 if request.method == "POST" else 200)
    form = EvidenceForm().for_form(need.form)
    attended = evidence_forms.attendance(session, need) if need.form == "service" else None
    if attended and request.method == "GET":  # the volunteers' check-ins, for the fulfiler to confirm
        form.service_from.data, form.hours.data = attended.first, Decimal(str(attended.hours))
        form.delivered_on.data = min(attended.last, date.today())
    file_errors: list[str] = []
    if form.validate_on_submit():
        data = service.EvidenceInput(
            delivered_on=form.delivered_on.data, summary=form.summary.data, amount_fen=form.amount.data,
            quantity=form.quantity.data, hours=float(form.hours.data) if form.hours.data is not None else None,
            service_from=form.service_from.data, item=form.item.data, acceptance=form.acceptance.data or None,
            acceptance_note=form.acceptance_note.data, confirmation_code=form.confirmation_code.data,
        )
        try:
            with session.begin_nested():  # a refusal leaves nothing behind, so the page shows what stands
                evidence_page.stage_posted(session, current_user, claim=claim)
                service.submit(session, current_user, claim, data)
        except Invalid as error:
            evidence_page.show(form, error, file_errors)
        else:
            return done(_("凭证已提交，等待民政工作人员核验。"), "claims.item", trigger="claim-changed",
                        claim_id=claim.id)
    return render("fulfilment/evidence.html", form=form, claim=claim, need=listing.public_need(session, need),
                  attended=attended, file_errors=file_errors, files_dropped=bool(evidence_page.posted_files()),
                  status=422 if request.method == "POST" else 200,
                  **evidence_page.context(session, need, claim=claim))


@bp.get("/staff/verify")
@permission("evidence.verify")
def queue():
    session = db()
    state = queues.chosen_state(request.args)
    want = paging.requested(request.args)
    if state == "waiting":
        page = service.queue(session, current_user, want)
        waiting = queues.waiting(session, current_user, claims=page.total)
    else:
        page = service.reviewed(session, current_user, queues.STATES[state][0], want)
        waiting = queues.waiting(session, current_user)
    tiers = dict(session.execute(select(Household.id, Household.tier).where(
        Household.id.in_([n.household_id for _f, n in page.items]))).all())
    names = listing.area_names(session, {n.region_code for _f, n in page.items})
    return render("fulfilment/queue.html", page=page, tiers=tiers, names=names, queue_kind="claims",
                  waiting=waiting, state=state, states=queues.STATES)


def _reviewable(fulfilment_id: int) -> Fulfilment:
    return service.get(db(), fulfilment_id)


@bp.get("/staff/verify/<int:fulfilment_id>")
@permission("evidence.verify")
def detail(fulfilment_id: int):
    """One piece of evidence next to the need it answers, with its files, the household's confirmation and
    the duplicate matches: what the verifier looks at before approving."""
    session = db()
    fulfilment = _reviewable(fulfilment_id)
    need = session.get(Need, fulfilment.need_id)
    claim = session.get(Claim, fulfilment.claim_id)
    review = verification.gather(session, current_user, need, claim=claim, organization_id=claim.organization_id)
    return render("fulfilment/verify.html", f=fulfilment, claim=claim, review=review,
                  public=listing.public_need(session, need), area=listing.area_names(session, {need.region_code}),
                  organization=session.get(Organization, claim.organization_id) if claim.organization_id else None,
                  acceptance=evidence_forms.ACCEPTANCE, action_form=ApproveForm(), reason_form=ReasonForm(),
                  **evidence_page.context(session, need, claim=claim, staff=True))


@bp.post("/staff/verify/<int:fulfilment_id>/approve")
@permission("evidence.verify")
def approve(fulfilment_id: int):
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    service.verify(db(), current_user, _reviewable(fulfilment_id), slip_checked=bool(form.slip_checked.data))
    return done(_("已核验通过，帮扶已记入该户救助链。"), "fulfilment.queue", trigger="queue-changed")


@bp.post("/staff/verify/<int:fulfilment_id>/reject")
@permission("evidence.verify")
def reject(fulfilment_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("退回凭证须填写原因（2至500字）。"), "reason")
    service.reject(db(), current_user, _reviewable(fulfilment_id), form.reason.data)
    return done(_("凭证已退回，需求重新开放认领。"), "fulfilment.queue", trigger="queue-changed")
