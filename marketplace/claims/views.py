from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import fulfiler_required
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..needs import listing
from ..needs.models import Need
from ..registry.models import Household
from ..web import done, render
from . import service

bp = Blueprint("claims", __name__)


@bp.get("/my/claims")
@fulfiler_required
def mine():
    session = db()
    claims = service.claims_of(session, current_user)
    needs = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_([c.need_id for c in claims])))}
    tiers = dict(session.execute(select(Household.id, Household.tier).where(
        Household.id.in_({n.household_id for n in needs.values()}))).all())
    # The area as public pages show it: a claim alone entitles to no more (see privacy.contact).
    areas = listing.public_areas(session, {(n.region_code, tiers[n.household_id]) for n in needs.values()})
    names = {n.id: areas[(n.region_code, tiers[n.household_id])] for n in needs.values()}
    return render("claims/mine.html", claims=claims, needs=needs, names=names, action_form=EmptyForm(),
                  reason_form=ReasonForm())


@bp.post("/my/claims/<int:claim_id>/start")
@fulfiler_required
def start(claim_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    service.start(session, current_user, service.own_claim(session, current_user, claim_id))
    return done("已开始帮扶。完成后请提交凭证。", "claims.mine", trigger="claim-changed")


def _with_reason(claim_id: int, action, message: str):
    session = db()
    claim = service.own_claim(session, current_user, claim_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid("请填写原因（2至500字）。", "reason")
    action(session, current_user, claim, form.reason.data)
    return done(message, "claims.mine", trigger="claim-changed")


@bp.post("/my/claims/<int:claim_id>/extend")
@fulfiler_required
def extend(claim_id: int):
    return _with_reason(claim_id, service.extend, "认领已延期7天（每个认领只能延期一次）。")


@bp.post("/my/claims/<int:claim_id>/release")
@fulfiler_required
def release(claim_id: int):
    return _with_reason(claim_id, service.release, "已放弃认领，需求重新开放。")
