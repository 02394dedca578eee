import io
from datetime import date

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..forms import EmptyForm
from ..needs import listing
from ..needs.service import get_need
from ..web import render
from . import access_log as log
from . import contact as disclosure
from . import pi_copy, retention
from .vault import vault

bp = Blueprint("privacy", __name__)


@bp.post("/needs/<int:need_id>/contact")
@permission("contact.reveal")
def contact(need_id: int):
    """POST, not GET: each showing is a logged disclosure, so it must not happen on a prefetch, a crawl
    or a back-button reload."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    need = get_need(session, need_id)
    purpose = disclosure.PURPOSES.get(getattr(current_user, "role", None), "")
    shown = disclosure.contact_for(session, current_user, need, vault(), purpose, request.path)
    return render("privacy/contact.html", fragment="privacy/_contact.html", contact=shown,
                  need=listing.public_need(session, need))


@bp.get("/staff/access-log")
@permission("registry.read")
def access_log():
    session = db()
    code = request.args.get("code", "").strip()[:16]
    page = log.region_log(session, current_user, paging.requested(request.args), code=code)
    return render("privacy/access_log.html", fragment="privacy/_log_rows.html", page=page, code=code)


@bp.post("/staff/households/<code>/pi-copy")
@permission("privacy.copy")
def personal_information_copy(code: str):
    """个人信息副本 (PIPL art. 45) as XLSX. POST, like a contact: producing it is a logged view of
    everything held, which a prefetch or a reload must not repeat. Never cached anywhere."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    household = pi_copy.household_for_copy(session, current_user, code, request.path)
    periods = retention.Periods.from_config(current_app.config)
    body = pi_copy.produce(session, current_user, household, vault(), periods)
    response = send_file(io.BytesIO(body), as_attachment=True, max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         download_name=f"{pi_copy.TITLE}-{household.public_code}-{date.today():%Y%m%d}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response
