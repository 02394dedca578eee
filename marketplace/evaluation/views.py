"""综合评估 for staff: the figures of each organisation working inside their region subtree, and under each
the reviewed evidence they are counted from."""

from flask import Blueprint, request
from flask_login import current_user

from .. import paging
from ..auth.access import found
from ..auth.policy import permission
from ..confirmation.service import CONFIRMATION_LABELS
from ..db import db
from ..i18n import _
from ..web import render
from . import figures, reviews

bp = Blueprint("evaluation", __name__)


@bp.get("/staff/evaluation")
@permission("evaluation.read")
def index():
    scope = figures.in_scope(db(), current_user.region_code)
    return render("evaluation/index.html", scope=scope, volunteers=_(figures.VOLUNTEERS_LABEL))


@bp.get("/staff/evaluation/<int:organization_id>")
@permission("evaluation.read")
def organization(organization_id: int):
    session = db()
    name = found(figures.organization_name(session, organization_id), _("组织"))
    page = reviews.reviewed(session, current_user.region_code, organization_id, paging.requested(request.args))
    return render("evaluation/organization.html", fragment="evaluation/_reviews.html", name=name,
                  organization_id=organization_id, page=page, confirmation_labels=CONFIRMATION_LABELS,
                  figures=figures.of_organization_in_scope(session, current_user.region_code, organization_id))
