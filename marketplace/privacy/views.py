from flask import Blueprint, abort, request
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
