"""The snapshot half of the reports benchmark (`bench/reports.py --snapshots`, issue 12): time the worker's
refresh of every target (the city and its counties), the read of each section from its snapshot, the
stored payload sizes, and the whole 统计报表 page through the app, from snapshots and live."""

import json
import re
import statistics
import tempfile
import time
from datetime import date, timedelta

PAGE_TARGET_S = 1.0
PASSWORD = "bench-password-123"


def _timed(run, times=3):
    values = []
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        values.append(time.perf_counter() - started)
    return values, result


def refresh_and_read(url: str, scopes: tuple[str, ...]) -> dict:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from marketplace.db import make_engine, transaction
    from marketplace.reports import snapshots
    from marketplace.reports.filters import ReportFilters
    from marketplace.reports.models import ReportSnapshot
    from marketplace.reports.sections import Report

    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(engine) as session:
        refreshed = snapshots.refresh_due(session, force=True, budget=float("inf"))
    wall = time.perf_counter() - started
    print(f"refresh (worker round, forced): {wall:.1f} s for {len(refreshed)} scopes, commit included")
    for region, seconds in refreshed:
        print(f"  {region}: {seconds:.2f} s counting")
    figures = {"refresh_s": wall}
    with Session(engine) as session:
        sizes = session.execute(
            select(ReportSnapshot.scope_code, ReportSnapshot.section, func.count(), ReportSnapshot.payload)
            .group_by(ReportSnapshot.scope_code, ReportSnapshot.section, ReportSnapshot.id)).all()
    bytes_by = {}
    for scope, section, _, payload in sizes:
        bytes_by[(scope, section)] = bytes_by.get((scope, section), 0) + len(json.dumps(payload))
    for scope in scopes:
        total = sum(v for (s, _), v in bytes_by.items() if s == scope)
        parts = ", ".join(f"{sec} {v / 1e6:.2f}" for (s, sec), v in sorted(bytes_by.items()) if s == scope)
        print(f"payload @ {scope}: {total / 1e6:.2f} MB ({parts})")
    all_bytes = sum(bytes_by.values())
    print(f"payload, every scope: {all_bytes / 1e6:.1f} MB in {len(sizes)} rows")
    figures["payload_mb"] = all_bytes / 1e6

    today = date.today()
    for scope in scopes:
        filters = ReportFilters.default(scope, today)
        deep = ReportFilters(scope, filters.date_from, filters.date_to, filters.months, page=500)
        for name, chosen, run in (
            ("blind_spots", filters, lambda r: r.blind_spots(50)),
            ("blind_spots p500", deep, lambda r: r.blind_spots(50)),
            ("unclaimed", filters, lambda r: r.unclaimed(limit=100)),
            ("lapsed_claims", filters, lambda r: r.lapsed(limit=100)),
            ("cliff", filters, lambda r: r.cliff()),
            ("who_what_where", filters, lambda r: r.coverage()),
            ("blind_spots csv", filters, lambda r: sum(1 for _ in r.iter_blind_spots())),
        ):
            with Session(engine) as session:
                def go(s=session, chosen=chosen, run=run):
                    report = Report(s, chosen, max_age=timedelta(minutes=20))
                    result = run(report)
                    assert report.computed_at, "not read from the snapshot"
                    return result

                values, _ = _timed(go)
            figures[f"read {name}@{scope}"] = max(values)
            print(f"{'read ' + name:>22} @ {scope}: median {statistics.median(values) * 1000:6.1f} ms,"
                  f" max {max(values) * 1000:6.1f} ms")
    engine.dispose()
    return figures


def page_times(url: str, scopes: tuple[str, ...]) -> dict:
    """GET /staff/reports as the bench's city staff account (user 1), through the whole app."""
    from sqlalchemy import update
    from werkzeug.security import generate_password_hash

    from marketplace import create_app
    from marketplace.auth.models import AppUser
    from marketplace.db import engine_of, transaction

    app = create_app({"DATABASE_URL": url, "STAFF_2FA": "optional", "SEARCH_INDEX_DIR": tempfile.mkdtemp()})
    with transaction(engine_of(app)) as session:
        session.execute(update(AppUser).where(AppUser.id == 1)
                        .values(password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")))
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": "user1@bench.cn", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.status_code
    figures = {}
    for label, minutes in (("snapshots", 10), ("live", 0)):
        app.config["REPORT_REFRESH_MINUTES"] = minutes
        for scope in scopes:
            for query in (f"?region={scope}", f"?region={scope}&page=400"):
                def get(query=query):
                    response = client.get("/staff/reports" + query)
                    assert response.status_code == 200, response.status_code
                    return response.get_data(as_text=True)

                values, body = _timed(get)
                if label == "snapshots":
                    assert "统计时间：" in body, "the page did not use the snapshot"
                figures[f"page {label} {query}"] = max(values)
                print(f"page ({label:>9}) {query:<28} median {statistics.median(values) * 1000:6.0f} ms,"
                      f" max {max(values) * 1000:6.0f} ms  ({len(body) / 1e6:.1f} MB of HTML)")
    engine_of(app).dispose()
    return figures


def run(url: str, scopes: tuple[str, ...]) -> list[str]:
    """Prints the figures; returns the targets missed (a page from snapshots over PAGE_TARGET_S)."""
    refresh_and_read(url, scopes)
    pages = page_times(url, scopes)
    return [f"{name} {value:.2f} > {PAGE_TARGET_S}" for name, value in pages.items()
            if name.startswith("page snapshots") and value > PAGE_TARGET_S]
