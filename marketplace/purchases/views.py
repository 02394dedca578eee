"""政府购买服务 pages for staff: the projects of their region, a project's progress and needs, recording a
project, assigning service needs to it."""

from flask import Blueprint, request
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..errors import Conflict, Invalid, NotFound
from ..forms import EmptyForm
from ..i18n import _
from ..needs import listing
from ..needs import service as needs
from ..web import done, render
from . import figures, service
from .forms import AssignForm, ProjectForm

bp = Blueprint("purchases", __name__)


@bp.get("/staff/purchases")
@permission("purchase.read")
def index():
    session = db()
    page = service.projects(session, current_user, paging.requested(request.args))
    return render("purchases/index.html", page=page, providers=service.provider_names(session, page.items),
                  progress={p.id: figures.progress(p) for p in page.items})


@bp.route("/staff/purchases/new", methods=["GET", "POST"])
@permission("purchase.manage")
def new():
    session = db()
    form = ProjectForm()
    providers = service.provider_choices(session, current_user)
    form.provider_id.choices = [("", _("请选择"))] + [(str(o.id), o.name) for o in providers]
    if form.validate_on_submit():
        raw = form.provider_id.data or ""
        data = service.ProjectInput(
            title=form.title.data, provider_id=int(raw) if raw.isdigit() else None, budget_fen=form.budget.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, categories=form.categories.data or [],
            regions=form.regions.data or [], target_households=form.target_households.data,
            target_hours=float(form.target_hours.data) if form.target_hours.data is not None else None)
        try:
            project = service.create(session, current_user, data)
        except Invalid as error:
            field = {"budget_fen": "budget"}.get(error.field or "", error.field or "title")
            getattr(form, field, form.title).errors.append(error.message)
        else:
            return done(_("政府购买服务项目已登记，可以将符合条件的服务类需求纳入项目。"), "purchases.detail",
                        project_id=project.id)
    submitted = form.is_submitted()
    return render("purchases/new.html", form=form, status=422 if submitted else 200,
                  chosen_categories=set(form.categories.data or []), chosen_regions=set(form.regions.data or []),
                  counties=service.place_choices(session, current_user))


def _detail(project, assign_form: AssignForm | None = None, status: int = 200):
    session = db()
    page = service.project_needs(session, project, paging.requested(request.args))
    public = listing.projected(session, [n.id for n in page.items])
    candidates = service.candidates(session, current_user, project)
    shown = listing.projected(session, [n.id for n in candidates])
    return render("purchases/detail.html", project=project, page=page, needs=public,
                  provider=service.provider_names(session, [project]).get(project.provider_id, ""),
                  progress=figures.progress(project), candidates=[shown[n.id] for n in candidates if n.id in shown],
                  places=listing.area_names(session, set(project.regions.split())),
                  form=assign_form or AssignForm(formdata=None), action_form=EmptyForm(), status=status)


@bp.get("/staff/purchases/<int:project_id>")
@permission("purchase.read")
def detail(project_id: int):
    return _detail(service.get(db(), current_user, project_id))


@bp.post("/staff/purchases/<int:project_id>/assign")
@permission("purchase.manage")
def assign(project_id: int):
    session = db()
    project = service.get(session, current_user, project_id)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                need = needs.get_need(session, form.need_id.data)
                service.assign(session, current_user, project, need)
        except (Invalid, Conflict, NotFound) as error:
            form.need_id.errors.append(error.message)
            return _detail(project, form, status=409 if isinstance(error, Conflict) else 422)
        return done(_("需求 %(id)s 已纳入项目，由承接机构认领并提供服务。", id=need.id), "purchases.detail",
                    trigger="purchase-changed", project_id=project.id)
    return _detail(project, form, status=422)


@bp.post("/staff/purchases/<int:project_id>/needs/<int:need_id>/remove")
@permission("purchase.manage")
def remove(project_id: int, need_id: int):
    session = db()
    project = service.get(session, current_user, project_id)
    if not EmptyForm().validate_on_submit():
        raise Invalid(_("页面已过期，请刷新后重试。"))
    service.unassign(session, current_user, project, needs.get_need(session, need_id))
    return done(_("需求 %(id)s 已移出项目，重新向社会力量开放。", id=need_id), "purchases.detail",
                trigger="purchase-changed", project_id=project.id)


@bp.get("/my/purchases")
@permission("fulfil.pledge")  # members of an organisation (charity role), as for its pledges
def provided():
    """The provider's side: the organisation's projects, their progress, and the needs waiting for a claim."""
    session = db()
    want = paging.requested(request.args)
    projects = service.provided(session, current_user, paging.PageRequest(1, 20))
    waiting = service.waiting_for_provider(session, current_user, want)
    return render("purchases/provided.html", projects=projects, page=waiting,
                  needs=listing.projected(session, [n.id for n in waiting.items]),
                  progress={p.id: figures.progress(p) for p in projects.items})
