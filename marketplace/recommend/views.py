from datetime import date

from flask import Blueprint, current_app
from flask_login import current_user

from ..auth.policy import permission
from ..db import db
from ..errors import Forbidden, Invalid
from ..i18n import _
from ..volunteering import finder
from ..web import done, render
from . import profile, service
from .forms import ServiceProfileForm

bp = Blueprint("recommend", __name__)


@bp.get("/recommendations")
@permission("fulfil.recommend")
def index():
    session = db()
    try:
        declared = service.eligible_profile(session, current_user)
    except Forbidden as refusal:
        # Not an error page: the person is where they should be and needs to know why nothing is listed.
        return render("recommend/index.html", items=[], refusal=refusal.message, declared=None)
    items = service.recommend(session, current_user, current_app.config["RECOMMEND_WEIGHTS"], date.today(),
                              limit=current_app.config["PAGE_SIZE"], profile=declared)
    shifts = []
    if current_user.role == "volunteer":
        shifts = finder.for_volunteer(session, current_user, declared.regions or (declared.home,))
    return render("recommend/index.html", items=items, refusal=None, declared=declared, shifts=shifts,
                  names=profile.region_names(session, declared.regions))


@bp.route("/profile/service", methods=["GET", "POST"])
@permission("fulfil.recommend")
def service_profile():
    session = db()
    current = profile.profile_of(session, current_user)
    form = ServiceProfileForm()
    if form.validate_on_submit():
        try:
            profile.save(session, current_user, form.categories.data or [], form.regions.data or [])
        except Invalid as error:
            getattr(form, error.field or "categories", form.categories).errors.append(error.message)
        else:
            return done(_("服务意向已保存，为我推荐将按新的意向排序。"), "recommend.service_profile")
    submitted = form.is_submitted()  # and refused: what was ticked stays ticked next to the message
    chosen_categories = set(form.categories.data or []) if submitted else set(current.categories)
    chosen_regions = set(form.regions.data or []) if submitted else set(current.regions)
    return render("recommend/profile.html", form=form, status=422 if submitted else 200, profile=current,
                  chosen_categories=chosen_categories, chosen_regions=chosen_regions,
                  counties=profile.region_choices(session, current))
