"""统计报表: blind spots, stalled help, the cliff and who does what where, for staff of a region, each
list downloadable as CSV or XLSX with the page's filters, and the 衔接台账 for the same region and period."""

import io
import tempfile
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..ledger import export
from ..security import events
from ..security.throttle import LOCAL
from ..spreadsheets import write_csv, write_xlsx
from ..web import render
from . import blind_spots, cliff
from .downloads import TABLES, AreaNames
from .filters import ReportFilters, region_choices
from .sections import Report

bp = Blueprint("reports", __name__)

PER_PAGE = 50
PREVIEW = 100
_MIMETYPES = {"csv": "text/csv; charset=utf-8",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/staff/reports")
@permission("registry.read")
def index():
    session = db()
    filters = ReportFilters.parse(current_user, request.args)
    report = _report(session, filters)
    spots, spots_total = report.blind_spots(PER_PAGE)
    unclaimed, unclaimed_total = report.unclaimed(limit=PREVIEW)
    lapsed, lapsed_total = report.lapsed(limit=PREVIEW)
    tiers = report.cliff()
    # A city has thousands of (who, what, where) rows: the page shows the busiest, the download has all.
    coverage = report.coverage()
    busiest = sorted(coverage, key=lambda c: -c.entries)[:PREVIEW]
    return render(
        "reports/index.html", fragment="reports/_report.html", filters=filters,
        regions=region_choices(session, current_user), area=AreaNames(session), spots=spots,
        spots_total=spots_total, per_page=PER_PAGE, unclaimed=unclaimed, unclaimed_total=unclaimed_total,
        lapsed=lapsed, lapsed_total=lapsed_total, tiers=tiers, scale=cliff.bar_scale(tiers), gap=cliff.gap(tiers),
        coverage=busiest, coverage_total=len(coverage), preview=PREVIEW, source_rows=report.sources(),
        serious=blind_spots.SERIOUS_FLAGS, pairs=blind_spots.SERIOUS_PAIRS,
        computed={section: at.astimezone(LOCAL) for section, at in report.computed_at.items()},
        refresh_minutes=current_app.config["REPORT_REFRESH_MINUTES"],
    )


def _report(session, filters: ReportFilters) -> Report:
    """From the worker's snapshot while it is at most two refresh intervals old (one missed round), else
    live. Snapshots are off when the interval is 0."""
    minutes = current_app.config["REPORT_REFRESH_MINUTES"]
    return Report(session, filters, max_age=timedelta(minutes=2 * minutes) if minutes > 0 else None)


@bp.get("/staff/reports/<name>.<fmt>")
@permission("data.export")
def download(name: str, fmt: str):
    if fmt not in _MIMETYPES:
        abort(404)
    session = db()
    filters = ReportFilters.parse(current_user, request.args)
    report = None
    if name == "ledger":
        title = "救助帮扶衔接台账"
        scope = export.ExportFilters(filters.prefix, filters.date_from, filters.date_to)
        columns, rows = export.COLUMNS, export.rows(session, scope, as_text=fmt == "csv")
    elif name in TABLES:
        table, report = TABLES[name], _report(session, filters)
        title, columns, rows = table.title, table.columns, table.rows(report)
    else:
        abort(404)
    # A temporary file rather than memory: the ledger of a city runs to hundreds of thousands of rows.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it after the response)
    if fmt == "csv":
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
        count = write_csv(columns, rows, text)
        text.detach()
    else:
        try:
            count = write_xlsx(columns, rows, handle, title=title)
        except ValueError as error:
            handle.close()
            _record_download(session, name, title, fmt, filters, None, outcome="failed", reason=str(error)[:80],
                             **_snapshot_of(report))
            raise Invalid(str(error)) from error
    _record_download(session, name, title, fmt, filters, count, **_snapshot_of(report))
    handle.seek(0)
    filename = f"{title}-{filters.region}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{fmt}"
    return send_file(handle, mimetype=_MIMETYPES[fmt], as_attachment=True, download_name=filename,
                     last_modified=date.today())


def _snapshot_of(report: Report | None) -> dict:
    """For the log: the table came from the snapshot computed then, not from a live count."""
    if report is None or not report.computed_at:
        return {}
    return {"snapshot": min(report.computed_at.values()).astimezone(LOCAL).isoformat(timespec="minutes")}


def _record_download(session, name: str, title: str, fmt: str, filters: ReportFilters, count: int | None,
                     **detail) -> None:
    """The 安全日志 row: who took which table of which division and period, and how many rows. The
    division's own staff see it (region_code is the exported division, not the reader's)."""
    if name == "ledger" and not detail:
        scope = export.ExportFilters(filters.region, filters.date_from, filters.date_to)
        export.record_export(session, count, fmt, scope, region_code=filters.region)
        return
    events.record(session, "export", region_code=filters.region, rows=count, what=title, format=fmt,
                  region=filters.region, **{"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()},
                  **detail)
