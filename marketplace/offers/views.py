"""慈善帮扶资源清单: the public list, the organisation's own offers and referrals, staff matching and referring,
and the three-level ledger export."""

import tempfile
from datetime import date

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.access import found, in_scope
from ..auth.policy import allows, permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..i18n import N_, _
from ..needs import listing
from ..needs.models import Need
from ..organizations.models import Organization
from ..organizations.views import service_places
from ..regions.models import Region
from ..security import events
from ..vocabulary import CATEGORIES
from ..web import done, render
from . import ledger_export, matching, referring, service
from .forms import OfferForm
from .models import NeedReferral, ResourceOffer

bp = Blueprint("offers", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- public ---------------------------------------------------------------------------------------

def _place_arg(session) -> str:
    place = (request.args.get("place") or "").strip()
    if place and not (place.isdigit() and len(place) in (6, 9)):
        raise Invalid(_("地区须为6位县区代码或9位乡镇代码。"), "place")
    return place


@bp.get("/offers")
@permission("offer.read")
def index():
    session = db()
    category = request.args.get("category", "")
    if category and category not in CATEGORIES:
        raise Invalid(_("未知的帮扶类别。"), "category")
    place = _place_arg(session)
    want = paging.requested(request.args, current_app.config["PAGE_SIZE"])
    page = paging.counted(session, service.public_query(category, place), want, scalars=True)
    page = page.with_items(service.project(session, page.items))
    return render("offers/index.html", fragment="offers/_list.html", page=page, category=category, place=place,
                  places=service.places_with_offers(session), args={"category": category, "place": place})


@bp.get("/offers/<int:offer_id>")
@permission("offer.read")
def detail(offer_id: int):
    offer = service.public_offer(db(), offer_id)
    return render("offers/detail.html", offer=offer)


# --- the organisation --------------------------------------------------------------------------------

def _member_org(session) -> Organization:
    """Any member reads the organisation's offers and referrals; managing them is for its administrators
    and coordinators (service.managing_organization)."""
    org = session.get(Organization, current_user.organization_id) if current_user.organization_id else None
    if org is None:
        abort(403)
    return org


@bp.get("/my/offers")
@permission("offer.manage")
def mine():
    session = db()
    org = _member_org(session)
    want = paging.requested(request.args)
    query = (select(ResourceOffer).where(ResourceOffer.organization_id == org.id)
             .order_by(ResourceOffer.created_at.desc(), ResourceOffer.id.desc()))
    page = paging.counted(session, query, want, scalars=True)
    manager = _is_manager(session)
    return render("offers/mine.html", page=page.with_items(service.project(session, page.items)), org=org,
                  manager=manager, approved=org.status == "approved", form=EmptyForm(formdata=None))


def _is_manager(session) -> bool:
    try:
        service.managing_organization(session, current_user)
    except Exception:  # Forbidden: read-only page for plain members and organisations not yet approved
        return False
    return True


def _input(form: OfferForm) -> service.OfferInput:
    return service.OfferInput(
        title=form.title.data or "", description=form.description.data or "",
        categories=form.categories.data or [], forms=form.forms.data or [], tiers=form.tiers.data or [],
        age_bands=form.age_bands.data or [], regions=form.regions.data or [], budget_fen=form.budget.data,
        quantity=form.quantity.data, unit=form.unit.data, cap_fen=form.cap.data, cap_quantity=form.cap_quantity.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, selection=form.selection.data or "")


def _form_page(session, form: OfferForm, offer: ResourceOffer | None, status: int):
    return render("offers/form.html", form=form, offer=offer, counties=service_places(session), status=status,
                  chosen={name: set(getattr(form, name).data or []) for name in
                          ("categories", "forms", "tiers", "age_bands", "regions")})


def _save(session, form: OfferForm, offer: ResourceOffer | None):
    if form.validate_on_submit():
        try:
            with session.begin_nested():  # a refusal leaves nothing half-written behind the page
                if offer is None:
                    offer = service.publish(session, current_user, _input(form))
                    message = _("慈善项目「%(title)s」已发布，服务地区的民政工作人员可以向它定向转介需求。", title=offer.title)
                else:
                    service.edit(session, current_user, offer, _input(form))
                    message = _("慈善项目已修改。")
        except Invalid as error:
            field = {"budget": "budget", "cap": "cap"}.get(error.field, error.field)
            getattr(form, field or "title", form.title).errors.append(error.message)
        else:
            return done(message, "offers.mine")
    return _form_page(session, form, offer, 422 if request.method == "POST" else 200)


@bp.route("/my/offers/new", methods=["GET", "POST"])
@permission("offer.manage")
def new():
    session = db()
    service.managing_organization(session, current_user)
    return _save(session, OfferForm(), None)


@bp.route("/my/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@permission("offer.manage")
def edit(offer_id: int):
    session = db()
    offer = service.own_offer(session, current_user, offer_id)
    form = OfferForm()
    if request.method == "GET":
        form = OfferForm(formdata=None, obj=offer)
        form.categories.data, form.forms.data = service.codes(offer.categories), service.codes(offer.forms)
        form.tiers.data, form.age_bands.data = service.codes(offer.tiers), service.codes(offer.age_bands)
        form.regions.data = list(session.scalars(select(service.ResourceOfferRegion.region_code)
                                                 .where(service.ResourceOfferRegion.offer_id == offer.id)))
        form.budget.data, form.cap.data = offer.budget_fen, offer.cap_fen
    return _save(session, form, offer)


def _end(offer_id: int, status: str, message: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    service.end(session, current_user, service.own_offer(session, current_user, offer_id), status)
    return done(message, "offers.mine", trigger="offers-changed")


@bp.post("/my/offers/<int:offer_id>/close")
@permission("offer.manage")
def close(offer_id: int):
    return _end(offer_id, "closed", _("项目已结束，不再接受定向转介。"))


@bp.post("/my/offers/<int:offer_id>/withdraw")
@permission("offer.manage")
def withdraw(offer_id: int):
    return _end(offer_id, "withdrawn", _("项目已撤回，待答复的转介已取消，相关需求重新公开。"))


@bp.get("/my/offer-referrals")
@permission("offer.manage")
def referrals():
    session = db()
    org = _member_org(session)
    want = paging.requested(request.args)
    query = (select(NeedReferral).where(NeedReferral.organization_id == org.id)
             .order_by(NeedReferral.created_at.desc(), NeedReferral.id.desc()))
    page = paging.counted(session, query, want, scalars=True)
    rows = page.items
    offers = {o.id: o for o in session.scalars(select(ResourceOffer).where(
        ResourceOffer.id.in_({r.offer_id for r in rows})))}
    # The need as the public page shows it: a referral entitles to no more than a claim does.
    needs = listing.projected(session, [r.need_id for r in rows])
    return render("offers/referrals.html", page=page, offers=offers, needs=needs, manager=_is_manager(session),
                  shown={r.id: referring.shown_status(r) for r in rows},
                  taken={r.id: referring.taken_shown(offers[r.offer_id], r) for r in rows},
                  form=EmptyForm(formdata=None), reason_form=ReasonForm(formdata=None))


@bp.post("/my/offer-referrals/<int:referral_id>/accept")
@permission("offer.manage")
def accept(referral_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    referral = referring.own_referral(session, current_user, referral_id)
    referring.accept(session, current_user, referral, current_app.config["CLAIM_START_DAYS"])
    return done(_("已接受转介，该需求已成为本组织的认领；请在「我的认领」中开始帮扶。"), "offers.referrals",
                trigger="referrals-changed")


@bp.post("/my/offer-referrals/<int:referral_id>/decline")
@permission("offer.manage")
def decline(referral_id: int):
    session = db()
    referral = referring.own_referral(session, current_user, referral_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("谢绝须填写原因（2至500字）。"), "reason")
    referring.decline(session, current_user, referral, form.reason.data)
    return done(_("已谢绝转介，该需求重新向社会公开。"), "offers.referrals", trigger="referrals-changed")


# --- staff ----------------------------------------------------------------------------------------

@bp.get("/staff/offers")
@permission("offer.match")
def staff_index():
    session = db()
    want = paging.requested(request.args)
    query = (select(ResourceOffer).where(matching.offers_for_staff(current_user), ResourceOffer.status == "open")
             .order_by(ResourceOffer.ends_on, ResourceOffer.id))
    page = paging.counted(session, query, want, scalars=True)
    return render("offers/staff_index.html", page=page.with_items(service.project(session, page.items)))


def _staff_offer(session, offer_id: int) -> ResourceOffer:
    offer = found(session.get(ResourceOffer, offer_id), N_("慈善项目"))
    if not matching.served_here(session, current_user, offer):
        abort(404)  # not an offer for this region: as if it did not exist here
    return offer


@bp.get("/staff/offers/<int:offer_id>")
@permission("offer.match")
def match(offer_id: int):
    session = db()
    offer = _staff_offer(session, offer_id)
    today = date.today()
    want = paging.requested(request.args, 20)
    households = matching.households(session, current_user, offer, want, today)
    places = dict(session.execute(select(Region.code, Region.name).where(
        Region.code.in_(matching.served_here(session, current_user, offer)))).all())
    return render("offers/match.html", offer=service.project(session, [offer])[0], raw=offer,
                  needs=matching.needs(session, current_user, offer, today), households=households,
                  here=places, can_refer=allows(current_user, "offer.refer"), form=EmptyForm(formdata=None),
                  remaining=referring.remaining_shown(offer))


@bp.post("/staff/offers/<int:offer_id>/needs/<int:need_id>/refer")
@permission("offer.refer")
def refer(offer_id: int, need_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    offer = _staff_offer(session, offer_id)
    need = found(session.get(Need, need_id), N_("需求"))
    if not in_scope(current_user, need.region_code):
        abort(404)
    days = current_app.config["REFERRAL_HOLD_DAYS"]
    referring.refer(session, current_user, need, offer, days, date.today())
    org = session.get(Organization, offer.organization_id)
    return done(_("已将需求定向转介给「%(org)s」，保留%(days)s天，等待对方答复。", org=org.name, days=days),
                "offers.match", offer_id=offer.id, trigger="offers-changed")


@bp.get("/staff/offers/ledger.xlsx")
@permission("offer.ledger")
def ledger():
    session = db()
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it after the response)
    count = ledger_export.write(session, current_user, handle)
    events.record(session, "export", region_code=current_user.region_code, rows=count, what="慈善帮扶资源台账",
                  format="xlsx", region=current_user.region_code)
    handle.seek(0)
    name = _("慈善帮扶资源台账")
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=f"{name}-{current_user.region_code}"
                     f"-{date.today():%Y%m%d}.xlsx", last_modified=date.today())
