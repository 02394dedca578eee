"""工作台 (stub of the foundation)."""

from flask import Blueprint, abort

from ..auth.policy import permission

bp = Blueprint("dashboard", __name__)


@bp.get("/staff/dashboard")
@permission("dashboard.read")
def index():
    abort(404)
