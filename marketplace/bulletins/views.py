"""月度衔接情况通报 pages: the past bulletins of the reader's scope, newest first; one bulletin as a printable page
(A4, static/print.css) and as an XLSX. A division outside the reader's scope answers 404 like a month never
generated, so the answer does not tell which bulletins exist elsewhere."""

import io

from flask import Blueprint, request, send_file
from flask_login import current_user
from sqlalchemy import select

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid, NotFound
from ..i18n import _
from ..security import events
from ..web import render
from . import access, present, xlsx
from .generate import place_names, stored
from .models import MonthlyBulletin
from .period import CHINA, Month, aware, parse

bp = Blueprint("bulletins", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/staff/bulletins")
@permission("bulletin.read")
def index():
    session = db()
    # The listed columns only: a payload is read when its bulletin is opened.
    query = (select(MonthlyBulletin.region_code, MonthlyBulletin.month, MonthlyBulletin.generated_at,
                    MonthlyBulletin.id).where(access.readable(current_user))
             .order_by(MonthlyBulletin.month.desc(), MonthlyBulletin.region_code, MonthlyBulletin.id))
    page = paging.counted(session, query, paging.requested(request.args))
    names = place_names(session, {b.region_code for b in page.items})
    return render("bulletins/index.html", page=page, names=names, P=present, local=_local)


def _bulletin(region_code: str, month: str) -> MonthlyBulletin:
    """The bulletin, or 404 (unknown, out of scope, never generated); a month not written YYYY-MM is a 422 that
    says how to write it."""
    period = parse(month)
    if period is None:
        raise Invalid(_("月份应写作 YYYY-MM（例如 2026-05）：%(value)s", value=month[:20]), "month")
    if not (region_code.isdigit() and len(region_code) == 6):
        raise NotFound(_("没有找到该地区该月的通报。"))
    access.check(current_user, region_code)
    bulletin = stored(db(), region_code, period)
    if bulletin is None:
        raise NotFound(_("没有找到该地区该月的通报。"))
    return bulletin


@bp.get("/staff/bulletins/<region_code>/<month>")
@permission("bulletin.read")
def show(region_code: str, month: str):
    bulletin = _bulletin(region_code, month)
    return render("bulletins/show.html", bulletin=bulletin, p=bulletin.payload, P=present,
                  month=Month.of(bulletin.month), generated=_local(bulletin.generated_at))


@bp.get("/staff/bulletins/<region_code>/<month>.xlsx")
@permission("bulletin.read")
def download(region_code: str, month: str):
    session = db()
    bulletin = _bulletin(region_code, month)
    handle = io.BytesIO()
    title, rows = xlsx.write(bulletin, handle)
    # The 安全日志 row: who took which division's bulletin, as every export is recorded.
    events.record(session, "export", region_code=bulletin.region_code, rows=rows, what=xlsx.TITLE,
                  format="xlsx", region=bulletin.region_code, month=Month.of(bulletin.month).key)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{title}-{bulletin.region_code}-{Month.of(bulletin.month).key}.xlsx")


def _local(moment):
    return aware(moment).astimezone(CHINA) if moment is not None else None
