"""我的服务, the hours certificate and the organisation's hours export."""

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import N_, _
from ..privacy.vault import vault
from ..security import events
from ..vocabulary import AVAILABILITY, SKILLS
from ..web import done, render
from . import certificates, records, registration
from .forms import CodeForm, ProfileForm

bp = Blueprint("volunteer_records", __name__)


@bp.get("/my/shifts")
@permission("volunteer.self")
def mine():
    session = db()
    lines, _shift_minutes = records.my_hours(session, current_user)
    # The same total the certificate prints: approved shift hours and verified services of one's own claims.
    approved = sum(line.minutes for line in certificates.lines_of(session, current_user.id))
    return render("volunteering/mine.html", upcoming=records.upcoming(session, current_user), lines=lines,
                  approved=records.hours_text(approved), action_form=EmptyForm(), code_form=CodeForm(formdata=None))


@bp.route("/my/volunteer-profile", methods=["GET", "POST"])
@permission("volunteer.self")
def profile():
    """志愿者资料: skills, availability and organisation change; the real name stays as registered."""
    session = db()
    row = registration.profile_of(session, current_user.id)
    form = ProfileForm() if request.method == "POST" else ProfileForm(
        formdata=None, skills=(row.skills.split() if row else []),
        availability=(row.availability.split() if row else []),
        organization_id=str(row.organization_id) if row and row.organization_id else "")
    form.organization_id.choices = [("", _("不属于任何组织"))] + [
        (str(o.id), o.name) for o in registration.organization_choices(session)]
    status = 200
    if form.validate_on_submit():
        org = form.organization_id.data
        try:
            registration.update_profile(session, vault(), current_user, skills=form.skills.data or [],
                                        availability=form.availability.data or [], phone=form.phone.data or "",
                                        organization_id=int(org) if org and org.isdigit() else None)
        except Invalid as error:
            getattr(form, error.field or "skills", form.skills).errors.append(error.message)
            status = 422
        else:
            return done(_("志愿者资料已保存。"), "volunteer_records.profile")
    elif request.method == "POST":
        status = 422
    return render("volunteering/profile.html", form=form, status=status, skills=SKILLS, availability=AVAILABILITY)


@bp.get("/my/hours/certificate")
@permission("volunteer.self")
def certificate():
    session = db()
    cert = certificates.certificate(session, current_user, current_app.config["SECRET_KEY"])
    events.record(session, "download", rows=len(cert.lines), what=N_("志愿服务时长证明"))
    return render("volunteering/certificate.html", cert=cert, total=records.hours_text(cert.total_minutes))


@bp.get("/organization/hours.csv")
@permission("org.manage")
def organization_hours():
    session = db()
    lines = records.organization_hours(session, current_user)
    body = records.hours_csv(lines)
    events.record(session, "export", rows=len(lines), what=N_("志愿服务时长"), organization=current_user.organization_id)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=volunteer-hours.csv"})
