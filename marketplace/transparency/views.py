"""阳光公示 pages: the tables (and charts drawn from them) as the worker last computed them, and a CSV
per table. Anonymous and the same for every visitor of a language, so the public caches keep them
(http_cache.PUBLIC_ENDPOINTS); a request reads one stored row, whatever the size of the registry."""

from flask import Blueprint, Response, request

from ..auth.policy import permission
from ..db import db
from ..errors import NotFound
from ..i18n import _
from ..vocabulary import CATEGORIES
from ..web import render
from . import csvfile
from .labels import THRESHOLD
from .present import checked_args, figures, find, read, withheld_legend

bp = Blueprint("transparency", __name__)


@bp.get("/transparency")
@permission("public.read")
def index():
    session = db()
    region, category, known = checked_args(session, request.args)
    row = read(session, region, category)
    found = figures(row) if row is not None and row.payload else None
    return render("transparency/index.html", figures=found, region=region, category=category, scopes=known,
                  categories=CATEGORIES, legend=withheld_legend(), threshold=THRESHOLD)


@bp.get("/transparency/<table>.csv")
@permission("public.read")
def table_csv(table: str):
    session = db()
    region, category, _known = checked_args(session, request.args)
    row = read(session, region, category)
    if row is None or not row.payload:
        raise NotFound(_("统计数据尚未生成。"))
    found = figures(row)
    chosen = find(found, table)
    return Response(csvfile.body(chosen), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={csvfile.filename(found, chosen)}"})
