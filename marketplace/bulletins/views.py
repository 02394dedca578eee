"""月度衔接情况通报 (stub of the foundation)."""

from flask import Blueprint, abort

from ..auth.policy import permission

bp = Blueprint("bulletins", __name__)


@bp.get("/staff/bulletins")
@permission("bulletin.read")
def index():
    abort(404)


@bp.get("/staff/bulletins/<region_code>/<month>")
@permission("bulletin.read")
def show(region_code: str, month: str):
    abort(404)


@bp.get("/staff/bulletins/<region_code>/<month>.xlsx")
@permission("bulletin.read")
def download(region_code: str, month: str):
    abort(404)
