"""阳光公示 pages: the tables (and charts drawn from them) as the worker last computed them, and a CSV
per table. Stub of the foundation; the page itself is built in views of this package."""

from flask import Blueprint, abort

from ..auth.policy import permission

bp = Blueprint("transparency", __name__)


@bp.get("/transparency")
@permission("public.read")
def index():
    abort(404)


@bp.get("/transparency/<table>.csv")
@permission("public.read")
def table_csv(table: str):
    abort(404)
