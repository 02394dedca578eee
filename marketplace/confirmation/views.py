"""送达确认 pages: the two copies of the delivery slip, the code entry, the public receipt page a slip's QR
code opens, the staff page of a need's confirmations and follow-ups, and the confirmation rules."""

from flask import Blueprint, abort, request
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.access import found, require_staff_for
from ..auth.policy import permission
from ..claims import service as claims
from ..claims.models import Claim
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import _
from ..needs import listing
from ..needs import service as needs
from ..needs.models import Need
from ..pledges import service as pledges
from ..pledges.models import Pledge
from ..vocabulary import FORMS
from ..web import done, render
from . import pages, rules, service
from .forms import CodeForm, FollowUpForm

bp = Blueprint("confirmation", __name__)


def _claim(claim_id: int) -> Claim:
    return found(db().get(Claim, claim_id), _("认领"))


def _pledge(pledge_id: int) -> Pledge:
    return found(db().get(Pledge, pledge_id), _("认捐"))


# The household's copy, with the code: staff of the need's region. Opening it counts as printing it.
@bp.get("/staff/claims/<int:claim_id>/slip")
@permission("slip.issue")
def household_claim_slip(claim_id: int):
    return _household_copy(claim=_claim(claim_id))


@bp.get("/staff/pledges/<int:pledge_id>/slip")
@permission("slip.issue")
def household_pledge_slip(pledge_id: int):
    return _household_copy(pledge=_pledge(pledge_id))


def _household_copy(*, claim=None, pledge=None):
    session = db()
    need = session.get(Need, (claim or pledge).need_id)
    require_staff_for(current_user, need.region_code)  # before a slip is made for another region's aid
    slip = service.slip_for(session, claim=claim, pledge=pledge, actor=current_user)
    service.mark_printed(session, current_user, slip)
    return render("confirmation/slip.html", page=pages.slip_page(session, slip, claim=claim, pledge=pledge),
                  copy="household", need_id=need.id)


@bp.post("/staff/claims/<int:claim_id>/slip/reissue")
@permission("slip.issue")
def reissue_claim_code(claim_id: int):
    return _reissue(claim=_claim(claim_id))


@bp.post("/staff/pledges/<int:pledge_id>/slip/reissue")
@permission("slip.issue")
def reissue_pledge_code(pledge_id: int):
    return _reissue(pledge=_pledge(pledge_id))


def _reissue(*, claim=None, pledge=None):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    need = session.get(Need, (claim or pledge).need_id)
    require_staff_for(current_user, need.region_code)
    service.reissue(session, current_user, service.slip_for(session, claim=claim, pledge=pledge, actor=current_user))
    return done(_("已重新出具确认码，原回执作废。请打印新的受助方联交给受助方。"), "confirmation.need_page", need_id=need.id)


# The fulfiler's copy, without the code, with lines to sign; and the code entry.
@bp.route("/my/claims/<int:claim_id>/slip", methods=["GET", "POST"])
@permission("fulfil.claim")
def fulfiler_claim_slip(claim_id: int):
    return _fulfiler_copy(claim=claims.own_claim(db(), current_user, claim_id))


@bp.route("/my/pledges/<int:pledge_id>/slip", methods=["GET", "POST"])
@permission("fulfil.pledge")
def fulfiler_pledge_slip(pledge_id: int):
    return _fulfiler_copy(pledge=pledges.own_pledge(db(), current_user, pledge_id))


def _fulfiler_copy(*, claim=None, pledge=None):
    session = db()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.enter_code(session, current_user, claim=claim, pledge=pledge, code=form.confirmation_code.data)
        except Invalid as error:
            form.confirmation_code.errors.append(error.message)
        else:
            return done(_("确认码正确，受助方已确认收到帮扶。"), request.endpoint,
                        **({"claim_id": claim.id} if claim is not None else {"pledge_id": pledge.id}))
    if request.method == "POST":
        status = 422
    slip = service.slip_for(session, claim=claim, pledge=pledge, actor=current_user)
    return render("confirmation/slip.html", page=pages.slip_page(session, slip, claim=claim, pledge=pledge),
                  copy="fulfiler", form=form, status=status)


@bp.get("/receipts/<ref>")
@permission("public.read")
def receipt(ref: str):
    session = db()
    slip = service.by_ref(session, ref)
    if slip is None:
        abort(404)
    body, status, headers = render("confirmation/receipt.html", receipt=pages.receipt(session, slip))
    headers["X-Robots-Tag"] = "noindex"
    return body, status, headers


# Staff: a need's slips, confirmations and follow-ups.
@bp.get("/staff/needs/<int:need_id>/confirmation")
@permission("registry.read")
def need_page(need_id: int):
    return _need_page(need_id, FollowUpForm(formdata=None))


@bp.post("/staff/needs/<int:need_id>/follow-ups")
@permission("followup.record")
def follow_up(need_id: int):
    session = db()
    form = FollowUpForm()
    need = needs.get_need(session, need_id)
    require_staff_for(current_user, need.region_code)
    if form.validate_on_submit():
        kind, _sep, raw_id = (form.target.data or "").partition("-")
        subject = session.get(Claim if kind == "claim" else Pledge, int(raw_id)) if raw_id.isdigit() else None
        try:
            service.record_follow_up(
                session, current_user, need, claim=subject if kind == "claim" else None,
                pledge=subject if kind == "pledge" else None, visited_on=form.visited_on.data,
                method=form.method.data, received=form.received.data == "yes",
                satisfaction=form.satisfaction_value(), remarks=form.remarks.data)
        except Invalid as error:
            getattr(form, error.field or "remarks", form.remarks).errors.append(error.message)
        else:
            return done(_("回访已记录。"), "confirmation.need_page", need_id=need.id)
    return _need_page(need_id, form, status=422)


def _need_page(need_id: int, form: FollowUpForm, status: int = 200):
    session = db()
    need = needs.get_need(session, need_id)
    require_staff_for(current_user, need.region_code)
    lines = pages.lines(session, need)
    form.target.choices = [SelectChoice(line.key, f"{line.number} · {line.fulfiler}")
                           for line in lines if line.followable]
    return render("confirmation/need.html", need=need, public=listing.public_need(session, need),
                  lines=lines, recorders=pages.recorders(session, lines), form=form,
                  required=rules.required(session, need.form), status=status)


@bp.route("/staff/confirmation-rules", methods=["GET", "POST"])
@permission("rules.configure")
def rules_page():
    session = db()
    status = 200
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        rules.update(session, current_user, {form: request.form.get(f"required_{form}") == "on" for form in FORMS})
        return done(_("送达确认规则已保存。"), "confirmation.rules_page")
    return render("confirmation/rules.html", rules=rules.all_rules(session), defaults=rules.DEFAULTS,
                  can_edit=len(current_user.region_code or "") <= 6, action_form=EmptyForm(), status=status)
