from flask import Blueprint, current_app, request
from flask_login import current_user

from ..auth.policy import permission
from ..db import db
from ..inputs import int_arg
from ..needs import listing
from ..vocabulary import TIERS
from ..web import render
from . import service

bp = Blueprint("registry", __name__)


@bp.get("/staff/households")
@permission("registry.read")
def households():
    session = db()
    q = request.args.get("q", "").strip()
    tier = request.args.get("tier", "")
    tier = tier if tier in TIERS else ""
    page = int_arg(request.args, "page", 1)
    per_page = current_app.config["PAGE_SIZE"]
    rows, total = service.staff_households(session, current_user, q=q, tier=tier, page=page, per_page=per_page)
    names = listing.area_names(session, {h.region_code for h in rows})
    return render("registry/households.html", fragment="registry/_rows.html", rows=rows, total=total,
                  names=names, q=q, tier=tier, page=page, per_page=per_page)
