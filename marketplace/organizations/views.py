"""Public pages: registration (no sign-in), the directory (公示) and each approved organisation's page."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..evaluation.figures import MIN_PUBLIC_FOLLOWUPS
from ..privacy.vault import vault
from ..regions.models import Region
from ..security import throttle
from ..security.sessions import start_session
from ..web import done, render
from . import directory, service
from .forms import RegistrationForm
from .models import Organization

bp = Blueprint("organizations", __name__)


def place_choices(session) -> tuple[list[SelectChoice], list[tuple[Region, list[Region]]]]:
    """Current counties and their townships: grouped options for the home region, and the service-region
    checkboxes (the same structure the 服务意向 page uses)."""
    counties = list(session.scalars(select(Region).where(Region.level == "county", Region.current.is_(True))
                                    .order_by(Region.code)))
    towns: dict[str, list[Region]] = {c.code: [] for c in counties}
    if counties:
        query = (select(Region).where(Region.level == "township", Region.current.is_(True),
                                      Region.parent_code.in_(towns)).order_by(Region.code))
        for town in session.scalars(query):
            towns[town.parent_code].append(town)
    grouped = [choice for c in counties for choice in
               [SelectChoice(c.code, f"{c.name}（县区本级）", optgroup=c.name)]
               + [SelectChoice(t.code, t.name, optgroup=c.name) for t in towns[c.code]]]
    # Service places: the counties the platform serves (their townships are known from the registry), not
    # the 2,800 counties of China as checkboxes; the home region select still offers every county.
    return grouped, [(c, towns[c.code]) for c in counties if towns[c.code]]


@bp.route("/organizations/register", methods=["GET", "POST"])
@permission("account.sign_in")
def register():
    session = db()
    form = RegistrationForm()
    grouped, counties = place_choices(session)
    form.region_code.choices = [SelectChoice("", "请选择"), *grouped]
    if request.method == "POST":
        refused = throttle.count_registration(session)
        if refused is not None:
            return throttle.too_many(refused)
    if form.validate_on_submit():
        data = service.Registration(
            name=form.name.data, kind=form.kind.data, uscc=form.uscc.data, region_code=form.region_code.data,
            contact_name=form.contact_name.data, contact_phone=form.contact_phone.data, email=form.email.data,
            display_name=form.display_name.data, password=form.password.data,
            categories=form.categories.data or [], regions=form.regions.data or [])
        try:
            org, admin = service.register(session, vault(), data)
        except Invalid as error:
            getattr(form, error.field or "name", form.name).errors.append(error.message)
        else:
            start_session(session, admin)
            return done(f"「{org.name}」的登记申请已提交。", "organizations.registered")
    status = 422 if request.method == "POST" else 200
    return render("organizations/register.html", form=form, counties=counties, status=status,
                  chosen_categories=set(form.categories.data or []), chosen_regions=set(form.regions.data or []))


@bp.get("/organizations/registered")
@permission("public.read")
def registered():
    if not current_user.is_authenticated or not current_user.organization_id:
        return redirect(url_for("organizations.index"))
    org = db().get(Organization, current_user.organization_id)
    return render("organizations/registered.html", org=org)


@bp.get("/organizations")
@permission("public.read")
def index():
    kind = request.args.get("kind", "")
    q = request.args.get("q", "")[:64]
    orgs = directory.approved(db(), kind=kind, q=q)
    return render("organizations/directory.html", fragment="organizations/_directory_list.html",
                  orgs=orgs, kind=kind, q=q, min_followups=MIN_PUBLIC_FOLLOWUPS)


@bp.get("/organizations/<int:org_id>")
@permission("public.read")
def detail(org_id: int):
    return render("organizations/public_detail.html", org=directory.public_detail(db(), org_id),
                  min_followups=MIN_PUBLIC_FOLLOWUPS)
