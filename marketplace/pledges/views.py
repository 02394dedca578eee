from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import paging, worklist
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..forms import ReasonForm
from ..fulfilment import evidence_page, evidence_state, queues, verification
from ..fulfilment.forms import ApproveForm
from ..i18n import N_, _
from ..needs import listing
from ..needs import service as needs
from ..needs.models import Need
from ..organizations.models import Organization
from ..registry.models import Household
from ..web import done, render
from . import review, service
from .forms import PledgeEvidenceForm, PledgeForm
from .models import Pledge

bp = Blueprint("pledges", __name__)



@bp.post("/needs/<int:need_id>/pledge")
@permission("fulfil.pledge")
def pledge(need_id: int):
    session = db()
    need = needs.get_need(session, need_id)
    form = PledgeForm()
    if not form.validate_on_submit():
        errors = form.amount.errors or form.quantity.errors or [_("请填写认捐数额。")]
        raise Invalid(str(errors[0]), "amount")
    amount = form.amount.data if need.form == "money" else form.quantity.data
    service.pledge(session, current_user, need, amount)
    left = service.remaining(need)
    message = (_("已认捐 %(amount)s。", amount=service.amount_shown(need, amount))
               + (_("该需求尚差 %(left)s。", left=service.amount_shown(need, left)) if left else _("该需求已认捐足额。"))
               + _("交付后请在「我的认捐」提交凭证。"))
    return done(message, "needs.detail", trigger="need-pledged", need_id=need.id)


TABS = [
    worklist.Tab("current", N_("进行中"), ("pledged",)),
    worklist.Tab("submitted", N_("待核验"), ("submitted",)),
    worklist.Tab("completed", N_("已完成"), ("verified",)),
    worklist.Tab("ended", N_("已结束"), ("rejected", "withdrawn", "cancelled")),
]


@bp.get("/my/pledges")
@permission("fulfil.pledge")
def mine():
    session = db()
    work = worklist.build(session, request.args, TABS, Pledge, service.owned(current_user),
                          (Pledge.pledged_at.desc(), Pledge.id.desc()))
    rows = work.page.items
    needs_by_id = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_({p.need_id for p in rows})))}
    # Title and area as public pages show them: a pledge entitles to no more than a claim does.
    public = listing.projected(session, needs_by_id)
    amounts = {p.id: service.amount_shown(needs_by_id[p.need_id], p.amount_fen or p.quantity) for p in rows}
    return render("pledges/mine.html", work=work, needs=public, amounts=amounts)


@bp.get("/my/pledges/<int:pledge_id>")
@permission("fulfil.pledge")
def item(pledge_id: int):
    """One pledge with what can be done with it now (evidence, slip, withdraw)."""
    session = db()
    row = service.own_pledge(session, current_user, pledge_id)
    need = session.get(Need, row.need_id)
    public = listing.public_need(session, need)
    return render("pledges/item.html", p=row, need=public, need_open=need.status in listing.PUBLIC_STATUSES,
                  amount=service.amount_shown(need, row.amount_fen or row.quantity))


@bp.post("/my/pledges/<int:pledge_id>/withdraw")
@permission("fulfil.pledge")
def withdraw(pledge_id: int):
    session = db()
    row = service.own_pledge(session, current_user, pledge_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("撤回认捐须填写原因（2至500字）。"), "reason")
    service.withdraw(session, current_user, row, form.reason.data)
    return done(_("已撤回认捐，该数额重新开放给其他组织。"), "pledges.item", trigger="pledge-changed",
                pledge_id=pledge_id)


@bp.route("/my/pledges/<int:pledge_id>/evidence", methods=["GET", "POST"])
@permission("fulfil.pledge")
def evidence(pledge_id: int):
    session = db()
    row = service.own_pledge(session, current_user, pledge_id)
    need = session.get(Need, row.need_id)
    state = evidence_state.pledge_state(row)
    if state:  # submitted already (the back button, a second tab), verified or ended: say so, not the form
        return render("fulfilment/evidence_state.html", heading=_("交付凭证"), state=state,
                      need=listing.public_need(session, need), status_label=row.status,
                      back=url_for("pledges.item", pledge_id=row.id), back_label=_("返回该认捐"),
                      status=409 if request.method == "POST" else 200)
    form = PledgeEvidenceForm().for_form(need.form)
    file_errors: list[str] = []
    if form.validate_on_submit():
        data = review.PledgeEvidence(form.delivered_on.data, form.summary.data, form.confirmation_code.data)
        try:
            with session.begin_nested():  # a refusal leaves nothing behind, so the page shows what stands
                evidence_page.stage_posted(session, current_user, pledge=row)
                review.submit(session, current_user, row, data)
        except Invalid as error:
            evidence_page.show(form, error, file_errors)
        else:
            return done(_("凭证已提交，等待民政工作人员核验。"), "pledges.item", trigger="pledge-changed",
                        pledge_id=row.id)
    return render("pledges/evidence.html", form=form, pledge=row, need=listing.public_need(session, need),
                  amount=service.amount_shown(need, row.amount_fen or row.quantity), file_errors=file_errors,
                  files_dropped=bool(evidence_page.posted_files()), status=422 if request.method == "POST" else 200,
                  **evidence_page.context(session, need, pledge=row))


@bp.get("/staff/pledges")
@permission("evidence.verify")
def queue():
    session = db()
    state = queues.chosen_state(request.args)
    want = paging.requested(request.args)
    if state == "waiting":
        page = review.queue(session, current_user, want)
        waiting = queues.waiting(session, current_user, pledges=page.total)
    else:
        page = review.reviewed(session, current_user, queues.STATES[state][0], want)
        waiting = queues.waiting(session, current_user)
    tiers = dict(session.execute(select(Household.id, Household.tier).where(
        Household.id.in_([n.household_id for _p, n, _o in page.items]))).all())
    names = listing.area_names(session, {n.region_code for _p, n, _o in page.items})
    amounts = {p.id: service.amount_shown(n, p.amount_fen or p.quantity) for p, n, _o in page.items}
    return render("pledges/queue.html", page=page, tiers=tiers, names=names, amounts=amounts, queue_kind="pledges",
                  waiting=waiting, state=state, states=queues.STATES)


@bp.get("/staff/pledges/verify/<int:pledge_id>")
@permission("evidence.verify")
def detail(pledge_id: int):
    """One pledge's evidence next to the need, with its files, the household's confirmation and the
    duplicate matches (fulfilment/verification.py)."""
    session = db()
    row = review.get(session, pledge_id)
    need = session.get(Need, row.need_id)
    gathered = verification.gather(session, current_user, need, pledge=row, organization_id=row.organization_id)
    return render("pledges/verify.html", p=row, review=gathered, public=listing.public_need(session, need),
                  area=listing.area_names(session, {need.region_code}),
                  organization=session.get(Organization, row.organization_id),
                  amount=service.amount_shown(need, row.amount_fen or row.quantity), action_form=ApproveForm(),
                  reason_form=ReasonForm(), **evidence_page.context(session, need, pledge=row, staff=True))


@bp.post("/staff/pledges/<int:pledge_id>/approve")
@permission("evidence.verify")
def approve(pledge_id: int):
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    review.verify(db(), current_user, review.get(db(), pledge_id), slip_checked=bool(form.slip_checked.data))
    return done(_("认捐已核验通过，已记入该户救助链。"), "pledges.queue", trigger="queue-changed")


@bp.post("/staff/pledges/<int:pledge_id>/reject")
@permission("evidence.verify")
def reject(pledge_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("退回凭证须填写原因（2至500字）。"), "reason")
    review.reject(db(), current_user, review.get(db(), pledge_id), form.reason.data)
    return done(_("认捐凭证已退回，该数额重新开放认捐。"), "pledges.queue", trigger="queue-changed")
