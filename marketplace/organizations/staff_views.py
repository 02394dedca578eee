"""组织审核: staff of the region list, inspect and decide on organisations."""

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.access import found
from ..auth.models import AppUser
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import N_, _
from ..privacy.vault import vault
from ..recommend.profile import region_names
from ..vocabulary import ORG_KINDS, ORG_STATUSES, label
from ..web import done, render
from . import service
from .access import require_vetter
from .forms import DecisionForm
from .models import Organization

bp = Blueprint("org_vetting", __name__)


@bp.get("/staff/organizations")
@permission("org.vet")
def index():
    session = db()
    status = request.args.get("status", "pending")
    status = status if status in ORG_STATUSES or status == "all" else "pending"
    kind = request.args.get("kind", "")
    q = request.args.get("q", "")[:64]
    kind = kind if kind in ORG_KINDS else ""
    page = service.for_vetting(session, current_user, paging.requested(request.args), status=status, kind=kind, q=q)
    names = region_names(session, {o.region_code for o in page.items})
    return render("organizations/vetting.html", page=page, names=names, shown=status, kind=kind, q=q,
                  counts=service.status_counts(session, current_user), kinds=ORG_KINDS)


def _detail(org: Organization, forms: dict[str, DecisionForm] | None = None, status: int = 200):
    session = db()
    require_vetter(current_user, org)
    forms = forms or {}
    actions = [a for a, (sources, _target, _reason) in service.DECISIONS.items() if org.status in sources]
    for action in actions:
        forms.setdefault(action, DecisionForm(prefix=action, formdata=None))
    members = list(session.scalars(select(AppUser).where(AppUser.organization_id == org.id)
                                   .order_by(AppUser.display_name)))
    codes = {org.region_code, *org.service_regions.split()}
    return render("organizations/vetting_detail.html", org=org, forms=forms, actions=actions,
                  labels=service.DECISION_LABELS, members=members, names=region_names(session, codes),
                  contact=service.contact_of(current_user, org, vault()),
                  history=service.history(session, org), status=status)


@bp.get("/staff/organizations/<int:org_id>")
@permission("org.vet")
def detail(org_id: int):
    return _detail(found(db().get(Organization, org_id), N_("组织")))


@bp.post("/staff/organizations/<int:org_id>/<action>")
@permission("org.vet")
def decide(org_id: int, action: str):
    session = db()
    org = found(session.get(Organization, org_id), N_("组织"))
    require_vetter(current_user, org)
    if action not in service.DECISIONS:
        raise Invalid(_("未知的审核操作。"))
    form = DecisionForm(prefix=action)
    if form.validate_on_submit():
        try:
            service.decide(session, current_user, org, action, form.reason.data)
        except Invalid as error:
            form.reason.errors.append(error.message)
        else:
            return done(_("「%(name)s」已%(action)s。", name=org.name,
                          action=label(service.DECISION_LABELS, action)), "org_vetting.detail", org_id=org.id)
    return _detail(org, {action: form}, status=422)
