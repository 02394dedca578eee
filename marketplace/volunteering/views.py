"""Registration, a service need's shifts, sign-ups, the address reveal, attendance and hours review."""

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import AppUser
from ..auth.policy import allows, permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..i18n import _
from ..needs import listing
from ..needs.models import Need
from ..privacy.vault import vault
from ..security import throttle
from ..security.sessions import start_session
from ..vocabulary import AVAILABILITY, SKILLS
from ..web import done, render
from . import address, attendance, registration, shifts, signups
from .forms import CodeForm, RegistrationForm, ShiftForm
from .models import HoursEntry, ShiftSignup

bp = Blueprint("volunteering", __name__)


@bp.route("/volunteers/register", methods=["GET", "POST"])
@permission("account.sign_in")
def register():
    session = db()
    form = RegistrationForm()
    form.region_code.choices = [(r.code, r.name) for r in registration.county_choices(session)]
    form.organization_id.choices = [("", _("不属于任何组织"))] + [
        (str(o.id), o.name) for o in registration.organization_choices(session)]
    status = 200
    if request.method == "POST":
        refused = throttle.count_registration(session)
        if refused is not None:
            return throttle.too_many(refused)
    if form.validate_on_submit():
        org = form.organization_id.data
        data = registration.Registration(
            email=form.email.data, password=form.password.data, display_name=form.display_name.data,
            real_name=form.real_name.data, phone=form.phone.data, region_code=form.region_code.data,
            skills=form.skills.data or [], availability=form.availability.data or [],
            organization_id=int(org) if org and org.isdigit() else None)
        try:
            user = registration.register(session, vault(), data)
        except Invalid as error:
            getattr(form, error.field or "email", form.email).errors.append(error.message)
            status = 422
        else:
            start_session(session, user)
            return done(_("注册成功，欢迎加入志愿服务。可在帮扶需求中查看服务类需求的班次并报名。"),
                        "volunteer_records.mine")
    elif request.method == "POST":
        status = 422
    return render("volunteering/register.html", form=form, status=status, skills=SKILLS, availability=AVAILABILITY)


def _service_need(session, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None or need.form != "service":
        abort(404)
    if need.status not in listing.PUBLIC_STATUSES and not shifts.is_coordinator(session, current_user, need):
        abort(404)
    return need


@bp.get("/needs/<int:need_id>/shifts")
@permission("public.read")
def need_shifts(need_id: int):
    session = db()
    need = _service_need(session, need_id)
    return _page(session, need, ShiftForm(formdata=None))


def _page(session, need: Need, form: ShiftForm, status: int = 200):
    coordinator = shifts.is_coordinator(session, current_user, need)
    all_shifts = shifts.shifts_of(session, need)
    mine, rosters, entries, names, refusals = {}, {}, {}, {}, {}
    if allows(current_user, "volunteer.self"):
        rows = session.scalars(select(ShiftSignup).where(ShiftSignup.user_id == current_user.id,
                                                         ShiftSignup.shift_id.in_([s.id for s in all_shifts])))
        mine = {row.shift_id: row for row in rows}
        refusals = {s.id: address.refusal(session, current_user, s) for s in all_shifts if s.id in mine}
    if coordinator:
        rosters = {s.id: signups.roster(session, s) for s in all_shifts}
        ids = [row.id for roster in rosters.values() for row in roster]
        entries = {e.signup_id: e for e in session.scalars(select(HoursEntry).where(HoursEntry.signup_id.in_(ids)))}
        users = {row.user_id for roster in rosters.values() for row in roster}
        names = dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(users))).all())
    positions = {sid: signups.waitlist_position(session, row) for sid, row in mine.items()}
    return render("volunteering/shifts.html", status=status, need=listing.public_need(session, need), raw=need,
                  shifts=all_shifts, coordinator=coordinator, mine=mine, positions=positions, rosters=rosters,
                  entries=entries, names=names, refusals=refusals, form=form, skills=SKILLS,
                  code_form=CodeForm(formdata=None), reason_form=ReasonForm(formdata=None),
                  schedulable=need.status in shifts.SCHEDULABLE)


@bp.post("/needs/<int:need_id>/shifts")
@permission("shift.coordinate")
def create_shift(need_id: int):
    session = db()
    need = _service_need(session, need_id)
    shifts.require_coordinator(session, current_user, need)
    form = ShiftForm()
    if not form.validate_on_submit():
        return _page(session, need, form, 422)
    shifts.create_shift(session, current_user, need, on=form.date.data, start=form.start_time.data,
                        end=form.end_time.data, capacity=form.capacity.data,
                        required_skills=form.required_skills.data or [])
    return done(_("已添加班次。签到码只显示给协调人，请在现场告知已报名的志愿者。"), "volunteering.need_shifts",
                need_id=need.id, trigger="shifts-changed")


def _checked(form=None) -> None:
    if not (form or EmptyForm()).validate_on_submit():
        abort(400)


@bp.post("/shifts/<int:shift_id>/cancel")
@permission("shift.coordinate")
def cancel_shift(shift_id: int):
    _checked()
    session = db()
    shift, need = shifts.get_shift(session, shift_id)
    shifts.cancel_shift(session, current_user, shift)
    return done(_("班次已取消。"), "volunteering.need_shifts", need_id=need.id, trigger="shifts-changed")


@bp.post("/shifts/<int:shift_id>/signup")
@permission("volunteer.self")
def sign_up(shift_id: int):
    _checked()
    session = db()
    shift, need = shifts.get_shift(session, shift_id)
    signup = signups.sign_up(session, current_user, shift, waitlist=request.form.get("waitlist") == "1")
    message = (_("报名成功。服务地址将在班次开始前24小时开放查看。") if signup.status == "booked"
               else _("已加入候补名单，当前第%(position)s位。有人取消时将按顺序递补并通知您。",
                      position=signups.waitlist_position(session, signup)))
    return done(message, "volunteering.need_shifts", need_id=need.id, trigger="shifts-changed")


@bp.post("/my/signups/<int:signup_id>/cancel")
@permission("volunteer.self")
def cancel_signup(signup_id: int):
    _checked()
    session = db()
    signup = signups.own_signup(session, current_user, signup_id)
    signups.cancel(session, current_user, signup)
    return done(_("已取消报名。"), "volunteer_records.mine", trigger="shifts-changed")


@bp.post("/shifts/<int:shift_id>/address")
@permission("volunteer.self")
def reveal_address(shift_id: int):
    _checked()
    session = db()
    shift, need = shifts.get_shift(session, shift_id)
    text = address.reveal(session, current_user, shift, vault(), path=request.path)
    return render("volunteering/address.html", fragment="volunteering/_address.html", need=need, shift=shift,
                  address=text)


def _attendance(signup_id: int, action):
    form = CodeForm()
    _checked(form)
    session = db()
    signup = session.get(ShiftSignup, signup_id) or abort(404)
    shift, need = shifts.get_shift(session, signup.shift_id)
    action(session, current_user, signup, code=form.code.data)
    if shifts.is_coordinator(session, current_user, need, shift):
        return "volunteering.need_shifts", {"need_id": need.id}
    return "volunteer_records.mine", {}


@bp.post("/signups/<int:signup_id>/check-in")
@permission("shift.attend")
def check_in(signup_id: int):
    endpoint, values = _attendance(signup_id, attendance.check_in)
    return done(_("已签到。"), endpoint, trigger="attendance-changed", **values)


@bp.post("/signups/<int:signup_id>/check-out")
@permission("shift.attend")
def check_out(signup_id: int):
    endpoint, values = _attendance(signup_id, attendance.check_out)
    return done(_("已签退，服务时长已提交审核。"), endpoint, trigger="attendance-changed", **values)


def _decide(entry_id: int, approve: bool):
    session = db()
    entry = attendance.get_entry(session, entry_id)
    reason = ""
    if approve:
        _checked()
    else:
        form = ReasonForm()
        if not form.validate_on_submit():
            raise Invalid(_("不予认定须填写原因（2至500字）。"), "reason")
        reason = form.reason.data
    attendance.decide(session, current_user, entry, approve, reason)
    shift, need = shifts.get_shift(session, entry.shift_id)
    return done(_("已认定服务时长。") if approve else _("已记录不予认定及原因。"), "volunteering.need_shifts",
                need_id=need.id, trigger="hours-changed")


@bp.post("/hours/<int:entry_id>/approve")
@permission("shift.coordinate")
def approve_hours(entry_id: int):
    return _decide(entry_id, True)


@bp.post("/hours/<int:entry_id>/decline")
@permission("shift.coordinate")
def decline_hours(entry_id: int):
    return _decide(entry_id, False)
