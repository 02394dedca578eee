from datetime import date

from flask import Blueprint, abort, request
from flask_login import current_user

from ..auth.models import AppUser
from ..auth.policy import allows, permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import _
from ..organizations.models import Organization
from ..privacy.vault import vault
from ..registry.models import Household
from ..vocabulary import HARDSHIPS, REFERRAL_OUTCOMES, label
from ..web import done, render
from . import lists, service
from .forms import DecisionForm, LinkForm, ReferralForm

bp = Blueprint("referrals", __name__)


@bp.app_template_global()
def referral_overdue_count() -> int:
    """For templates/referrals/_overdue.html wherever it is included (reports, the staff landing)."""
    if not allows(current_user, "referral.read"):
        return 0
    return service.overdue_count(db(), current_user)


def _shown_error(form, error: Invalid, fallback: str) -> None:
    getattr(form, error.field or fallback, getattr(form, fallback)).errors.append(error.message)


@bp.route("/referrals/new", methods=["GET", "POST"])
@permission("referral.file")
def new():
    session = db()
    service.referrer_organization(session, current_user)  # a pending organisation's member is told now
    form = ReferralForm()
    status = 200
    if form.validate_on_submit():
        data = service.Filing(region_code=form.region_code.data or "", hardships=form.hardships.data or [],
                              description=form.description.data, consent=bool(form.consent.data),
                              consent_note=form.consent_note.data, name=form.name.data, phone=form.phone.data)
        try:
            with session.begin_nested():
                referral = service.file(session, current_user, data, vault())
        except Invalid as error:
            _shown_error(form, error, "description")
            status = 422
        else:
            return done(_("转介已提交，民政工作人员将在 %(day)s 前办理。结果会通过邮件和「我的转介」告诉您。",
                          day=referral.due_on.isoformat()), "referrals.mine_item", referral_id=referral.id)
    elif request.method == "POST":
        status = 422
    return render("referrals/new.html", form=form, status=status, towns=lists.township_choices(session),
                  hardships=HARDSHIPS)


@bp.get("/my/referrals")
@permission("referral.file")
def mine():
    listed = lists.mine(db(), current_user, request.args)
    return render("referrals/mine.html", listed=listed, work=listed.work)


@bp.get("/my/referrals/<int:referral_id>")
@permission("referral.file")
def mine_item(referral_id: int):
    """What the referrer wrote and what civil affairs decided; never the name or phone they gave (those
    are in the staff's hands now) nor which household it became."""
    session = db()
    referral = service.own(session, current_user, referral_id)
    return render("referrals/mine_item.html", r=referral, area=lists.areas(session, {referral.region_code}),
                  hardships=service.hardship_list(referral))


@bp.get("/staff/referrals")
@permission("referral.read")
def queue():
    listed = lists.staff_queue(db(), current_user, request.args)
    return render("referrals/queue.html", listed=listed, work=listed.work)


def _detail(session, referral, *, decision=None, link=None, contact=None, status=200):
    posted = decision if decision is not None else link  # the form whose errors the summary lists
    may_decide = allows(current_user, "referral.decide")
    if decision is None:
        decision = DecisionForm(formdata=None)
    decision.outcome.choices = [("", _("请选择"))] + [(code, label(REFERRAL_OUTCOMES, code))
                                                      for code in REFERRAL_OUTCOMES]
    referrer = session.get(AppUser, referral.referrer_id)
    org = session.get(Organization, referral.organization_id) if referral.organization_id else None
    household = session.get(Household, referral.household_id) if referral.household_id else None
    decider = session.get(AppUser, referral.decided_by_id) if referral.decided_by_id else None
    return render("referrals/detail.html", fragment="referrals/_contact.html" if contact else None, r=referral,
                  area=lists.areas(session, {referral.region_code}), hardships=service.hardship_list(referral),
                  referrer=referrer, org=org, household=household, decider=decider, contact=contact,
                  may_decide=may_decide, decision=decision, link=link or LinkForm(formdata=None),
                  has_contact=bool(referral.name_enc or referral.phone_enc), reveal_form=EmptyForm(),
                  today=date.today(), status=status, **({"form": posted} if posted is not None else {}))


@bp.get("/staff/referrals/<int:referral_id>")
@permission("referral.read")
def detail(referral_id: int):
    session = db()
    return _detail(session, service.for_staff(session, current_user, referral_id))


@bp.post("/staff/referrals/<int:referral_id>/contact")
@permission("referral.read")
def contact(referral_id: int):
    """POST, not GET: each showing is a logged disclosure, which a prefetch or a reload must not repeat."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    referral = service.for_staff(session, current_user, referral_id)
    shown = service.reveal_contact(session, current_user, referral, vault(), request.path)
    return _detail(session, referral, contact=shown)


@bp.post("/staff/referrals/<int:referral_id>/decide")
@permission("referral.decide")
def decide(referral_id: int):
    session = db()
    referral = service.for_staff(session, current_user, referral_id, "need_posting")
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                service.decide(session, current_user, referral, form.outcome.data or "", form.reason.data,
                               form.household_code.data)
        except Invalid as error:
            _shown_error(form, error, "outcome")
        else:
            return done(_("已记录办理结果，转介人会收到通知。"), "referrals.detail", referral_id=referral.id)
    return _detail(session, referral, decision=form, status=422)


@bp.post("/staff/referrals/<int:referral_id>/link")
@permission("referral.decide")
def link(referral_id: int):
    session = db()
    referral = service.for_staff(session, current_user, referral_id, "need_posting")
    form = LinkForm()
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                household = service.link_household(session, current_user, referral, form.household_code.data)
        except Invalid as error:
            _shown_error(form, error, "household_code")
        else:
            return done(_("已关联救助对象 %(code)s。", code=household.public_code), "referrals.detail",
                        referral_id=referral.id)
    return _detail(session, referral, link=form, status=422)
