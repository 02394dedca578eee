"""我的服务, the hours certificate and the organisation's hours export."""

from flask import Blueprint, Response
from flask_login import current_user

from ..auth.decorators import role_required
from ..db import db
from ..forms import EmptyForm
from ..privacy.vault import vault
from ..web import render
from . import records
from .forms import CodeForm

bp = Blueprint("volunteer_records", __name__)


@bp.get("/my/shifts")
@role_required("volunteer")
def mine():
    session = db()
    lines, approved = records.my_hours(session, current_user)
    return render("volunteering/mine.html", upcoming=records.upcoming(session, current_user), lines=lines,
                  approved=records.hours_text(approved), action_form=EmptyForm(), code_form=CodeForm(formdata=None))


@bp.get("/my/hours/certificate")
@role_required("volunteer")
def certificate():
    cert = records.certificate(db(), current_user, vault())
    return render("volunteering/certificate.html", cert=cert, total=records.hours_text(cert.total_minutes))


@bp.get("/organization/hours.csv")
@role_required("charity")
def organization_hours():
    body = records.hours_csv(records.organization_hours(db(), current_user))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=volunteer-hours.csv"})
