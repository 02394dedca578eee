from flask import Blueprint, request
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import N_, _, day
from ..inputs import INT_MAX
from ..needs import listing
from ..privacy.identity import reveal
from ..privacy.vault import vault
from ..registry import moving
from ..registry import service as registry
from ..vocabulary import CATEGORIES, LEDGER_SOURCES, label
from ..web import done, render
from . import corrections
from .forms import CorrectionForm, MoveForm
from .models import LedgerEntry
from .timeline import TimelineFilters, chain_length, timeline

bp = Blueprint("ledger", __name__)


def _chain_page(session, household, form: CorrectionForm, *, status: int = 200, filters=None, want=None,
                move_form=None):
    filters = filters or TimelineFilters()
    page, orgs, users = timeline(session, household.id, filters, want or paging.requested({}))
    # The correction form offers the entries of this page that no correction has superseded yet (a line of
    # corrections ends in one); an older entry is corrected from its own page.
    offered = {value for value, _label in form.entry_id.choices or []}
    form.entry_id.choices = list(form.entry_id.choices or []) + [
        (i.entry.id, _choice(i.entry)) for i in page.items
        if i.kind == "entry" and i.corrected_by is None and i.entry.id not in offered]
    area = listing.area_names(session, {household.region_code})[household.region_code]
    return render("ledger/chain.html", fragment="ledger/_timeline.html", household=household, page=page,
                  orgs=orgs, users=users, area=area, identity=reveal(household, vault()), filters=filters,
                  form=form, status=status, is_void=corrections.is_void, shown_title=corrections.shown_title,
                  chain_length=chain_length(session, household.id),
                  move_form=move_form or MoveForm(formdata=None))


def _choice(entry) -> str:
    return _("第%(seq)s条 · %(day)s · %(source)s · %(category)s · %(title)s", seq=entry.seq,
             day=day(entry.occurred_on), source=label(LEDGER_SOURCES, entry.source),
             category=label(CATEGORIES, entry.category), title=corrections.shown_title(entry))


def _posted_choice(session, household, form: CorrectionForm) -> None:
    """On submit, the one entry posted, if it is this household's and not yet corrected: it may sit on any
    page of the chain. Anything else fails the form's choice check."""
    raw = request.form.get("entry_id", "").strip()
    entry = session.get(LedgerEntry, int(raw)) if raw.isdigit() and int(raw) <= INT_MAX else None
    valid = (entry is not None and entry.household_id == household.id
             and corrections.corrected_by(session, entry) is None)
    form.entry_id.choices = [(entry.id, _choice(entry))] if valid else []


@bp.get("/staff/households/<code>")
@permission("registry.read")
def household_chain(code: str):
    """The household's assistance chain (一户一条救助链) as a timeline, newest first, filterable by
    category and period; htmx filter requests get only the timeline."""
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose=N_("核对救助记录与户主身份"))
    filters, want = TimelineFilters.from_args(request.args), paging.requested(request.args)
    return _chain_page(session, household, CorrectionForm(formdata=None), filters=filters, want=want)


@bp.post("/staff/households/<code>/corrections")
@permission("need.post")
def correct(code: str):
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose="更正救助记录")
    form = CorrectionForm()
    _posted_choice(session, household, form)
    if form.validate_on_submit():
        data = corrections.CorrectionInput(
            reason=form.reason.data, void=form.void.data, amount_fen=form.amount.data,
            quantity=form.quantity.data, hours=float(form.hours.data) if form.hours.data is not None else None)
        try:
            entry = corrections.correct(session, current_user, household, form.entry_id.data, data, vault())
        except Invalid as error:
            getattr(form, error.field or "reason", form.reason).errors.append(error.message)
        else:
            return done(_("已在救助链上追加更正记录（第%(seq)s条），原记录保持不变。", seq=entry.seq), "ledger.household_chain",
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
            return done(_("已将该户迁至%(area)s，变更已记入该户记录和安全日志。", area=area), "ledger.household_chain",
                        code=household.public_code)
    return _chain_page(session, household, CorrectionForm(formdata=None), status=422, move_form=move_form)
