from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.access import in_scope
from ..auth.policy import allows, permission
from ..claims import service as claims
from ..db import db
from ..duplicates.check import DuplicateWarning
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..i18n import N_, _
from ..pledges import service as pledges
from ..privacy import contact
from ..privacy.vault import vault
from ..registry import service as registry
from ..registry.models import Household
from ..search.query import SORTS, SearchQuery
from ..search.service import FACET_TITLES, search_needs
from ..vocabulary import NEED_STATUSES
from ..web import done, render, wants_fragment
from . import former, listing, service
from .forms import NeedForm
from .models import Need, NeedHistory

bp = Blueprint("needs", __name__)


@bp.get("/")
@permission("public.read")
def home():
    # One search answers both: the urgent needs soonest due, and (facets count every filter but their own)
    # the open needs of every urgency. Counting the need table per request grew with the registry.
    result = search_needs(db(), SearchQuery(urgency="urgent", sort="deadline"), per_page=6)
    open_count = sum(value.count for value in result.facets.get("urgency", []))
    return render("home.html", urgent=result.needs, open_count=open_count)


@bp.get("/needs")
@permission("public.read")
def index():
    query = SearchQuery.from_args(request.args)
    result = search_needs(db(), query, per_page=current_app.config["PAGE_SIZE"])
    body, status, headers = render("needs/index.html", fragment="needs/_search.html", result=result, q=query,
                                   facet_titles=FACET_TITLES, sorts=SORTS)
    if wants_fragment():
        # The address bar gets the canonical URL (no empty or default parameters), the one a person shares.
        headers["HX-Push-Url"] = url_for("needs.index", **query.args(page=query.page))
    return body, status, headers


def _staff_in_scope(need: Need) -> bool:
    return allows(current_user, "registry.read") and in_scope(current_user, need.region_code)


@bp.get("/needs/<int:need_id>")
@permission("public.read")
def detail(need_id: int):
    session = db()
    need = service.get_need(session, need_id)
    staff_view = _staff_in_scope(need)
    if need.status not in listing.PUBLIC_STATUSES and not staff_view:
        held = former.held_by(session, current_user, need)
        if held is None:
            abort(404)
        return render("needs/closed.html", need=listing.public_need(session, need), held=held,
                      end_reason=service.reason_shown(held.row.end_reason))
    history = []
    household = None
    if staff_view:
        history = list(session.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id)
                                       .order_by(NeedHistory.at, NeedHistory.id)))
        household = session.get(Household, need.household_id)
    # Only the region: a public page has no reason to load the household's encrypted columns.
    region = session.scalar(select(Household.region_code).where(Household.id == need.household_id))
    # A charity or volunteer about to claim sees what the need may duplicate (an exact duplicate is refused).
    duplicates, claim_refusal = [], None
    if need.status == "open" and allows(current_user, "fulfil.claim"):
        claim_refusal = claims.claim_refusal(session, current_user, need)
        duplicates = [] if claim_refusal else claims.duplicate_matches(session, current_user, need)
    return render("needs/detail.html", need=listing.public_need(session, need), raw=need, duplicates=duplicates,
                  claim_refusal=claim_refusal,
                  staff_view=staff_view, history=history, household=household,
                  member_ref=service.member_shown(need.member_ref), reason_shown=service.reason_shown,
                  live_claim=claims.live_claim(session, need),
                  pledging=pledges.progress(session, need), can_pledge=pledges.can_pledge(session, current_user),
                  # No form objects: building one starts a session for its CSRF token, and the anonymous
                  # page is publicly cached (marketplace/http_cache.py). The template uses csrf() for staff.
                  contact_refusal=contact.refusal(session, current_user, need, region))


@bp.post("/needs/<int:need_id>/claim")
@permission("fulfil.claim")
def claim(need_id: int):
    session = db()
    need = service.get_need(session, need_id)
    claims.claim_need(session, current_user, need, current_app.config["CLAIM_START_DAYS"],
                      current_app.config["CLAIM_STALE_LIMIT"])
    return done(_("已认领「%(title)s」。请在%(days)s天内开始帮扶。", title=need.title,
                  days=current_app.config["CLAIM_START_DAYS"]), "claims.mine", trigger="need-claimed")


@bp.route("/staff/households/<code>/needs/new", methods=["GET", "POST"])
@permission("need.post")
def new(code: str):
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="need_form", path=request.path,
                                             purpose=N_("为该户发布帮扶需求"))
    form = NeedForm()
    status = 200
    if form.validate_on_submit():
        data = service.NeedInput(
            category=form.category.data, form=form.form.data, title=form.title.data,
            description=form.description.data or "", urgency=form.urgency.data, deadline=form.deadline.data,
            target_amount_fen=form.target_amount.data, target_quantity=form.target_quantity.data,
            unit=form.unit.data, contact_basis=form.contact_basis.data, age_band=form.age_band.data or None,
            period_start=form.period_start.data, period_end=form.period_end.data, member_ref=form.member_ref.data,
            item_key=form.item_key.data, override_reason=form.override_reason.data, source=form.source.data,
        )
        try:
            need = service.create_need(session, current_user, household, data,
                                       publish=request.form.get("action") == "publish", vault=vault())
        except DuplicateWarning as warning:
            return render("needs/form.html", form=form, household=household, duplicates=warning.matches,
                          status=409)
        except Invalid as error:
            getattr(form, error.field, form.title).errors.append(error.message)
        else:
            message = _("需求已发布。") if need.status == "open" else _("需求已保存为草稿。")
            return done(message, "needs.detail", need_id=need.id)
    if form.errors or request.method == "POST":
        status = 422
    return render("needs/form.html", form=form, household=household, status=status)


@bp.get("/staff/needs")
@permission("registry.read")
def staff_list():
    session = db()
    status = request.args.get("status", "")
    status = status if status in NEED_STATUSES else ""
    page = service.for_staff(session, current_user, paging.requested(request.args), status=status)
    names = listing.area_names(session, {n.region_code for n in page.items})
    return render("needs/staff_list.html", fragment="needs/_staff_rows.html", page=page, names=names,
                  status_filter=status)


@bp.post("/staff/needs/<int:need_id>/publish")
@permission("need.post")
def publish(need_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = db()
    need = service.publish(session, current_user, service.get_need(session, need_id))
    return done(_("需求已发布。"), "needs.detail", need_id=need.id)


@bp.post("/staff/needs/<int:need_id>/cancel")
@permission("need.post")
def cancel(need_id: int):
    session = db()
    need = service.get_need(session, need_id)
    form = ReasonForm()
    if form.validate_on_submit():
        service.cancel(session, current_user, need, form.reason.data)
        return done(_("需求已撤销。"), "needs.detail", need_id=need.id)
    raise Invalid(_("撤销需求须填写原因（2至500字）。"), "reason")
