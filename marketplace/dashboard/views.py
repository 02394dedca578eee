"""工作台: the staff landing page. What waits for action today in the reader's region and how the region's
help went month by month, each figure a link to the list or report section that shows it. Counts and
aggregates only: no household is named here."""

from datetime import date, timedelta

from flask import Blueprint, current_app, request
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..modelbase import utcnow
from ..regions.models import Region
from ..reports.blind_spots import SERIOUS_FLAGS, SERIOUS_PAIRS, UNCLAIMED_DAYS
from ..security.throttle import LOCAL
from ..web import render
from . import figures, lists, today, trend

bp = Blueprint("dashboard", __name__)


def _max_age() -> timedelta | None:
    """As the reports page: a snapshot at most two refresh intervals old (one missed round); none when off."""
    minutes = current_app.config["REPORT_REFRESH_MINUTES"]
    return timedelta(minutes=2 * minutes) if minutes > 0 else None


@bp.get("/staff/dashboard")
@permission("dashboard.read")
def index():
    session = db()
    now, day = utcnow(), date.today()
    region = session.get(Region, current_user.region_code) if current_user.region_code else None
    work = today.counts(session, current_user, now=now, today=day)
    shown = figures.figures(session, current_user.region_code, now=now, today=day, max_age=_max_age())
    return render("dashboard/index.html", region=region, work=work, figures=shown,
                  scale=trend.bar_scale(shown.months), unclaimed_days=UNCLAIMED_DAYS,
                  expiring_hours=today.EXPIRING_HOURS, due_days=today.REFERRAL_DUE_WORKING_DAYS,
                  serious=SERIOUS_FLAGS, pairs=SERIOUS_PAIRS,
                  computed_at=shown.oldest.astimezone(LOCAL) if shown.oldest else None,
                  refresh_minutes=current_app.config["REPORT_REFRESH_MINUTES"])


@bp.get("/staff/dashboard/expiring")
@permission("dashboard.read")
def expiring():
    session = db()
    listed = lists.expiring(session, current_user, paging.requested(request.args), now=utcnow())
    return render("dashboard/expiring.html", listed=listed, hours=today.EXPIRING_HOURS)


@bp.get("/staff/dashboard/routed")
@permission("dashboard.read")
def routed():
    session = db()
    listed = lists.routed(session, current_user, paging.requested(request.args), now=utcnow())
    return render("dashboard/routed.html", listed=listed)
