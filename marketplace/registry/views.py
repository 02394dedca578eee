from flask import Blueprint, current_app, request
from flask_login import current_user

from ..auth.decorators import staff_required
from ..db import db
from ..needs import listing
from ..vocabulary import TIERS
from ..web import render
from . import service

bp = Blueprint("registry", __name__)


@bp.get("/staff/households")
@staff_required
def households():
    session = db()
    q = request.args.get("q", "").strip()
    tier = request.args.get("tier", "")
    tier = tier if tier in TIERS else ""
    page_arg = request.args.get("page", "1")
    page = max(1, int(page_arg)) if page_arg.isdigit() else 1
    per_page = current_app.config["PAGE_SIZE"]
    rows, total = service.staff_households(session, current_user, q=q, tier=tier, page=page, per_page=per_page)
    names = listing.area_names(session, {h.region_code for h in rows})
    return render("registry/households.html", fragment="registry/_rows.html", rows=rows, total=total,
                  names=names, q=q, tier=tier, page=page, per_page=per_page)
