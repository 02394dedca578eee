from flask import Blueprint, request
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
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
    page = service.staff_households(session, current_user, paging.requested(request.args), q=q, tier=tier)
    names = listing.area_names(session, {h.region_code for h in page.items})
    return render("registry/households.html", fragment="registry/_rows.html", page=page, names=names, q=q,
                  tier=tier)
