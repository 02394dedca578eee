"""/staff/security-log: the 安全日志 of the reader's region, for staff holding the 账号管理 duty, with a CSV
download of the filtered rows. Read only: the app has no route that changes or deletes an event."""

import io
from itertools import islice

from flask import Blueprint, Response, current_app
from flask import request as http_request
from flask_login import current_user

from ..auth.policy import permission
from ..db import db, engine_of, reading_session
from ..errors import Invalid
from ..i18n import N_
from ..spreadsheets import write_csv
from ..web import render
from . import events
from . import log as security_log

bp = Blueprint("security", __name__)

CSV_CHUNK = 500


@bp.get("/staff/security-log")
@permission("security_log.read")
def index():
    try:
        filters, error = security_log.LogFilters.parse(http_request.args), None
    except Invalid as invalid:
        # The form again with the reason, rather than an error page without the filters.
        filters, error = security_log.LogFilters(), invalid.message
    per_page = current_app.config["STAFF_PAGE_SIZE"]  # as every staff list (marketplace/paging.py)
    lines, total = ([], 0) if error else security_log.page_of(db(), current_user, filters, per_page)
    return render("security/log.html", fragment="security/_log_rows.html", lines=lines, total=total,
                  filters=filters, per_page=per_page, kinds=events.KINDS, outcomes=events.OUTCOMES,
                  error=error, status=422 if error else 200)


@bp.get("/staff/security-log.csv")
@permission("security_log.read")
def download():
    """The export event is written (and committed with the request) before any row leaves; the file
    then streams from its own read-only session, in constant memory, up to the counted rows."""
    session = db()
    filters = security_log.LogFilters.parse(http_request.args)
    upto, count = security_log.export_bound(session, current_user, filters)
    events.record(session, "export", rows=count, what=N_("安全日志"), format="csv", **filters.summary())
    actor, engine = current_user._get_current_object(), engine_of(current_app)
    return Response(_stream(engine, actor, filters, upto), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=security-log.csv"})


def _stream(engine, actor, filters, upto):
    with reading_session(engine) as session:
        rows = security_log.iter_rows(session, actor, filters, upto)
        header = _csv(())
        yield ("\ufeff" + header).encode()
        while chunk := list(islice(rows, CSV_CHUNK)):
            # write_csv (the one formula-safe writer) writes the header first: cut it off every chunk
            # after the first, so the file is one table.
            yield _csv(chunk)[len(header):].encode()


def _csv(rows) -> str:
    out = io.StringIO()
    write_csv(security_log.COLUMNS, rows, out)
    return out.getvalue()
