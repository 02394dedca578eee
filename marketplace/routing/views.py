"""分类推送: the staff's routing rules, and the department's list of needs routed to it with its answers."""

from flask import Blueprint, abort, request
from flask_login import current_user
from wtforms import SelectChoice

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import _
from ..needs import listing
from ..needs.models import Need
from ..organizations.models import Organization
from ..regions.service import area_name
from ..web import done, render
from . import rules, service, sources
from .forms import DeclineForm, HandledForm, RuleForm
from .models import NeedRouting

bp = Blueprint("routing", __name__)


@bp.app_context_processor
def _routing_helpers():
    """For includes on other capabilities' pages: the reports' needs by source, a need's routing."""
    return {"needs_by_source": lambda filters: sources.for_filters(db(), filters), "routing_panel": _panel}


def _panel(need_id: int) -> dict:
    session = db()
    routing = service.latest_for_need(session, need_id)
    org = session.get(Organization, routing.organization_id) if routing else None
    return {"source": session.get(Need, need_id).source, "routing": routing, "org": org,
            "last_day": service.local_day(routing.until) if routing else None}


# --- rules (staff) --------------------------------------------------------------------------------
@bp.get("/staff/routing/rules")
@permission("routing.configure")
def rules_index():
    session = db()
    page = rules.listed(session, current_user, paging.requested(request.args))
    orgs = {o.id: o for o in rules.departments(session, current_user)}
    missing = {r.organization_id for r in page.items} - set(orgs)
    orgs.update({o.id: o for o in (session.get(Organization, i) for i in missing) if o})
    names = {r.region_code: area_name(session, r.region_code) for r in page.items}
    return render("routing/rules.html", page=page, orgs=orgs, names=names, toggle=EmptyForm())


def _rule_form(session, form: RuleForm) -> RuleForm:
    form.region_code.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(r.code, r.name) for r in rules.places(session, current_user)]
    form.organization_id.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(str(o.id), o.name) for o in rules.departments(session, current_user)]
    return form


def _rule_input(form: RuleForm) -> rules.RuleInput:
    org_id = form.organization_id.data
    return rules.RuleInput(category=form.category.data, region_code=form.region_code.data,
                           organization_id=int(org_id) if (org_id or "").isdigit() else None,
                           working_days=form.working_days.data)


@bp.route("/staff/routing/rules/new", methods=["GET", "POST"])
@permission("routing.configure")
def rule_new():
    session = db()
    rules.require_configurer(current_user)
    form = _rule_form(session, RuleForm())
    if form.validate_on_submit():
        try:
            rule = rules.create(session, current_user, _rule_input(form))
        except Invalid as error:
            getattr(form, error.field or "category", form.category).errors.append(error.message)
        else:
            return done(_("推送规则已添加。"), "routing.rules_index", _anchor=f"rule-{rule.id}")
    status = 422 if request.method == "POST" else 200
    return render("routing/rule_form.html", form=form, rule=None, status=status)


@bp.route("/staff/routing/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@permission("routing.configure")
def rule_edit(rule_id: int):
    session = db()
    rule = rules.get_rule(session, current_user, rule_id)
    form = RuleForm(obj=None if request.method == "POST" else rule)
    if request.method == "GET":
        form.organization_id.data = str(rule.organization_id)
    _rule_form(session, form)
    if form.validate_on_submit():
        try:
            rules.update(session, current_user, rule, _rule_input(form))
        except Invalid as error:
            getattr(form, error.field or "category", form.category).errors.append(error.message)
        else:
            return done(_("推送规则已保存。"), "routing.rules_index", _anchor=f"rule-{rule.id}")
    status = 422 if request.method == "POST" else 200
    return render("routing/rule_form.html", form=form, rule=rule, status=status)


@bp.post("/staff/routing/rules/<int:rule_id>/active")
@permission("routing.configure")
def rule_active(rule_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    rule = rules.get_rule(session, current_user, rule_id)
    active = request.form.get("active") == "1"
    rules.set_active(session, current_user, rule, active)
    return done(_("推送规则已启用。") if active else _("推送规则已停用，新发布的需求不再按此推送。"),
                "routing.rules_index", _anchor=f"rule-{rule.id}")


# --- the department -------------------------------------------------------------------------------
@bp.get("/department/needs")
@permission("routing.answer")
def department():
    session = db()
    work = service.work(session, current_user, request.args)
    needs = listing.projected(session, {r.need_id for r in work.page.items})
    last_days = {r.id: service.local_day(r.until) for r in work.page.items}
    return render("routing/department.html", work=work, needs=needs, last_days=last_days,
                  org=service.department_of(session, current_user))


def _item_page(session, routing: NeedRouting, handled: HandledForm, declined: DeclineForm, status: int = 200):
    need = session.get(Need, routing.need_id)
    from ..auth.models import AppUser

    poster = session.get(AppUser, need.created_by_id)
    return render("routing/department_item.html", routing=routing, need=listing.public_need(session, need),
                  raw=need, poster=poster, handled=handled, declined=declined, last_day=service.local_day(routing.until),
                  org=service.department_of(session, current_user), status=status,
                  **({"form": handled if handled.errors else declined} if status == 422 else {}))


@bp.get("/department/needs/<int:routing_id>")
@permission("routing.answer")
def department_item(routing_id: int):
    session = db()
    routing = service.routed_to(session, current_user, routing_id)
    if routing.status == "pending":
        service.lapse_overdue(session, organization_id=routing.organization_id)
    return _item_page(session, routing, HandledForm(), DeclineForm())


@bp.post("/department/needs/<int:routing_id>/handled")
@permission("routing.answer")
def handled(routing_id: int):
    session = db()
    routing = service.routed_to(session, current_user, routing_id)
    form = HandledForm()
    if form.validate_on_submit():
        data = service.Handled(item=form.item.data, amount_fen=form.amount.data, occurred_on=form.occurred_on.data,
                               note=form.note.data or "")
        try:
            service.handle(session, current_user, routing, data)
        except Invalid as error:
            getattr(form, error.field or "item", form.item).errors.append(error.message)
        else:
            return done(_("已记为本部门已办理，救助已记入该户救助链。"), "routing.department_item", routing_id=routing.id)
    return _item_page(session, routing, form, DeclineForm(formdata=None), status=422)


@bp.post("/department/needs/<int:routing_id>/decline")
@permission("routing.answer")
def decline(routing_id: int):
    session = db()
    routing = service.routed_to(session, current_user, routing_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            service.decline(session, current_user, routing, form.answer.data, form.reason.data)
        except Invalid as error:
            getattr(form, error.field or "reason", form.reason).errors.append(error.message)
        else:
            return done(_("已退回，该需求现向社会力量公开。"), "routing.department_item", routing_id=routing.id)
    return _item_page(session, routing, HandledForm(formdata=None), form, status=422)
