"""志愿服务 (open shifts to find), a sign-up's calendar file, and the public certificate check."""

from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.policy import allows, permission
from ..db import db
from ..errors import Invalid
from ..modelbase import utcnow
from ..needs.listing import projected
from ..paging import Page, requested
from ..vocabulary import SKILLS, label
from ..web import render
from . import calendar, certificates, finder, records, registration, signups
from .models import Shift, ShiftSignup
from .shifts import skill_codes

bp = Blueprint("shift_finder", __name__)


@bp.get("/shifts")
@permission("public.read")
def index():
    session = db()
    now = utcnow()
    today = now.astimezone(finder.LOCAL).date()
    error, status, page = None, 200, Page()
    try:
        filters = finder.filters_from(request.args, today)
        page = finder.search(session, filters, requested(request.args, current_app.config["PAGE_SIZE"]), now)
    except Invalid as refused:
        filters, error, status = finder.Filters(), refused, 422
    mine, have = {}, None
    if allows(current_user, "volunteer.self") and page.items:
        rows = session.scalars(select(ShiftSignup).where(ShiftSignup.user_id == current_user.id,
                                                         ShiftSignup.shift_id.in_([o.shift.id for o in page.items]),
                                                         ShiftSignup.status.in_(signups.LIVE)))
        mine = {row.shift_id: row for row in rows}
        profile = registration.profile_of(session, current_user.id)
        have = set(skill_codes(profile.skills)) if profile else set()
    # A volunteer is offered 报名 only where the sign-up would be accepted; others see why not.
    lacking = {o.shift.id: [label(SKILLS, c) for c in skill_codes(o.shift.required_skills) if c not in have]
               for o in page.items} if have is not None else {}
    args = {"from": request.args.get("from", ""), "to": request.args.get("to", ""),
            "place": request.args.get("place", ""), "skill": request.args.get("skill", "")}
    return render("volunteering/open_shifts.html", fragment="volunteering/_open_shifts.html", status=status,
                  page=page, filters=filters, args=args, error=error, today=today, mine=mine, lacking=lacking,
                  skills=SKILLS,
                  places=finder.place_choices(session, now))


@bp.get("/my/shifts/<int:signup_id>.ics")
@permission("volunteer.self")
def signup_calendar(signup_id: int):
    session = db()
    signup = signups.own_signup(session, current_user, signup_id)
    shift = session.get(Shift, signup.shift_id)
    public = projected(session, [shift.need_id]).get(shift.need_id)
    if public is None:
        abort(404)
    url = url_for("volunteering.need_shifts", need_id=shift.need_id, _external=True)
    body = calendar.signup_ics(signup, shift, title=public.title, place=public.area, url=url,
                               host=request.host.split(":")[0], now=utcnow())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename=shift-{signup.id}.ics"})


@bp.get("/certificates")
@permission("public.read")
def certificate_lookup():
    """A box to type the number into; the answer lives at its own URL (the one a QR code could carry)."""
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("shift_finder.check_certificate", number=number), code=303)
    return render("volunteering/certificate_check.html", found=None, number="")


@bp.get("/certificates/<number>")
@permission("public.read")
def check_certificate(number: str):
    session = db()
    found = certificates.check(session, current_app.config["SECRET_KEY"], number)
    if found is None:
        abort(404)
    return render("volunteering/certificate_check.html", found=found, number=number.strip().upper(),
                  total=records.hours_text(found.total_minutes), checked=date.today())
