from flask import Blueprint, request
from flask_login import current_user

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..needs import listing
from ..privacy.identity import reveal
from ..privacy.vault import vault
from ..registry import moving
from ..registry import service as registry
from ..vocabulary import CATEGORIES, LEDGER_SOURCES
from ..web import done, render
from . import corrections
from .forms import CorrectionForm, MoveForm
from .timeline import TimelineFilters, timeline

bp = Blueprint("ledger", __name__)


def _chain_page(session, household, form: CorrectionForm, *, status: int = 200, filters=None, move_form=None):
    filters = filters or TimelineFilters()
    items, orgs, users = timeline(session, household.id, filters)
    area = listing.area_names(session, {household.region_code})[household.region_code]
    return render("ledger/chain.html", fragment="ledger/_timeline.html", household=household, items=items,
                  orgs=orgs, users=users, area=area, identity=reveal(household, vault()), filters=filters,
                  form=form, status=status, is_void=corrections.is_void,
                  move_form=move_form or MoveForm(formdata=None))


def _correctable(session, household, form: CorrectionForm) -> None:
    """The select offers the entries no correction has superseded yet (a line of corrections ends in one)."""
    items, _, _ = timeline(session, household.id, TimelineFilters())
    form.entry_id.choices = [
        (i.entry.id, f"第{i.entry.seq}条 · {i.entry.occurred_on.isoformat()} · {LEDGER_SOURCES.get(i.entry.source)}"
                     f" · {CATEGORIES.get(i.entry.category, i.entry.category)} · {i.entry.title}")
        for i in items if i.kind == "entry" and i.corrected_by is None
    ]


@bp.get("/staff/households/<code>")
@permission("registry.read")
def household_chain(code: str):
    """The household's assistance chain (一户一条救助链) as a timeline, newest first, filterable by
    category and period; htmx filter requests get only the timeline."""
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose="核对救助记录与户主身份")
    form = CorrectionForm(formdata=None)
    _correctable(session, household, form)
    return _chain_page(session, household, form, filters=TimelineFilters.from_args(request.args))


@bp.post("/staff/households/<code>/corrections")
@permission("need.post")
def correct(code: str):
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose="更正救助记录")
    form = CorrectionForm()
    _correctable(session, household, form)
    if form.validate_on_submit():
        data = corrections.CorrectionInput(
            reason=form.reason.data, void=form.void.data, amount_fen=form.amount.data,
            quantity=form.quantity.data, hours=float(form.hours.data) if form.hours.data is not None else None)
        try:
            entry = corrections.correct(session, current_user, household, form.entry_id.data, data, vault())
        except Invalid as error:
            getattr(form, error.field or "reason", form.reason).errors.append(error.message)
        else:
            return done(f"已在救助链上追加更正记录（第{entry.seq}条），原记录保持不变。", "ledger.household_chain",
                        code=household.public_code)
    return _chain_page(session, household, form, status=422)


@bp.post("/staff/households/<code>/move")
@permission("registry.move")
def move(code: str):
    """迁移: the household to another region inside the mover's scope, with a reason (registry/moving.py)."""
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose="迁移行政区划")
    move_form = MoveForm()
    if move_form.validate_on_submit():
        try:
            moving.move_household(session, current_user, household, move_form.to_region.data, move_form.reason.data)
        except Invalid as error:
            getattr(move_form, error.field or "reason", move_form.reason).errors.append(error.message)
        else:
            area = listing.area_names(session, {household.region_code})[household.region_code]
            return done(f"已将该户迁至{area}，变更已记入该户记录和安全日志。", "ledger.household_chain",
                        code=household.public_code)
    form = CorrectionForm(formdata=None)
    _correctable(session, household, form)
    return _chain_page(session, household, form, status=422, move_form=move_form)
