"""Public pages: registration (no sign-in), the directory (公示) and each approved organisation's page."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..evaluation.figures import MIN_PUBLIC_FOLLOWUPS
from ..i18n import _, current
from ..privacy.vault import vault
from ..regions.models import Region
from ..security import throttle
from ..security.sessions import start_session
from ..web import done, render
from . import directory, location, service
from .forms import RegistrationForm
from .models import Organization

bp = Blueprint("organizations", __name__)


def service_places(session) -> list[tuple[Region, list[Region]]]:
    """Service places: the counties the platform serves (those whose townships are known from the registry)
    with their townships, the structure the 服务意向 page uses; not the 2,700 counties of China."""
    towns: dict[str, list[Region]] = {}
    query = (select(Region).where(Region.level == "township", Region.current.is_(True))
             .order_by(Region.parent_code, Region.code))
    for town in session.scalars(query):
        towns.setdefault(town.parent_code, []).append(town)
    counties = session.scalars(select(Region).where(Region.code.in_(towns)).order_by(Region.code))
    return [(c, towns[c.code]) for c in counties]


@bp.route("/organizations/register", methods=["GET", "POST"])
@permission("account.sign_in")
def register():
    session = db()
    form = RegistrationForm()
    counties = service_places(session)
    values = request.form if request.method == "POST" else request.args
    place = location.resolve(session, values.get("province", ""), values.get("city", ""),
                             values.get("region_code", ""), values.get("township", ""))
    location.fill(form, place)
    stepping = request.method == "POST" and request.form.get("step") == "place"
    if request.method == "GET" or stepping:
        # A select of the place changed (htmx) or 选择下一级 was pressed (no JavaScript): the next level's choices.
        return render("organizations/register.html", fragment="organizations/_location.html", form=form,
                      counties=counties, chosen_categories=set(form.categories.data or []),
                      chosen_regions=set(form.regions.data or []))
    refused = throttle.count_registration(session)
    if refused is not None:
        return throttle.too_many(refused)
    if form.validate_on_submit():
        data = service.Registration(
            name=form.name.data, kind=form.kind.data, uscc=form.uscc.data, region_code=place.code,
            contact_name=form.contact_name.data, contact_phone=form.contact_phone.data, email=form.email.data,
            display_name=form.display_name.data, password=form.password.data,
            categories=form.categories.data or [], regions=form.regions.data or [],
            department=form.department.data or None)
        try:
            org, admin = service.register(session, vault(), data)
        except Invalid as error:
            getattr(form, error.field or "name", form.name).errors.append(error.message)
        else:
            admin.locale = current()  # the language the visitor registered in: their pages' and their mail's
            start_session(session, admin)
            return done(_("「%(name)s」的登记申请已提交。", name=org.name), "organizations.registered")
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
    from ..offers.service import open_offers_of

    return render("organizations/public_detail.html", org=directory.public_detail(db(), org_id),
                  min_followups=MIN_PUBLIC_FOLLOWUPS, offers=open_offers_of(db(), org_id))
