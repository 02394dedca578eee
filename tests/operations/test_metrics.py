"""/metrics for Prometheus: from an allowed address it shows request counts and latencies by endpoint, the
outbox backlog, failed mail, this node's search lag and the workers' heartbeat ages, each moving as the
platform does; from any other address it does not exist. Under gunicorn a scrape counts the requests of
every worker process."""

import base64
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, select, text, update

from marketplace import create_app
from marketplace.db import engine_of
from marketplace.modelbase import utcnow
from marketplace.notify import outbox_mail
from marketplace.operations import readings
from marketplace.outbox.models import OutboxMessage
from marketplace.outbox.service import need_changed
from marketplace.privacy.vault import Vault
from marketplace.search import index
from marketplace.search.sync import SearchSync
from marketplace.security.models import SecurityEvent
from support import run_worker_once

OUTSIDER = "203.0.113.9"


def scrape(app, address="127.0.0.1", **headers):
    return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


def samples(app) -> dict[tuple, float]:
    """{(sample name, (label, value), …): value} of one scrape."""
    response = scrape(app)
    assert response.status_code == 200
    return {(s.name, *sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def requests_to(app, endpoint: str, status: str = "2xx") -> float:
    key = ("shanqiao_http_requests_total", ("endpoint", endpoint), ("method", "GET"), ("status", status))
    return samples(app).get(key, 0.0)


def queue_mail(tx, key: str, **payload) -> None:
    with tx() as s:
        outbox_mail.queue(s, to="li@example.cn", subject="【善桥】认领提醒", text="您好", html=None, key=key,
                          kind="claim.expiring", **payload)


def test_every_family_is_shown_and_a_page_view_counts_under_its_endpoint(app, client, world):
    need = world.need("open")
    families = {f.name for f in text_string_to_metric_families(scrape(app).get_data(as_text=True))}
    assert {"shanqiao_http_requests", "shanqiao_http_request_duration_seconds", "shanqiao_outbox_backlog",
            "shanqiao_mail_failed", "shanqiao_search_index_lag_seconds", "shanqiao_worker_heartbeat_age_seconds",
            "shanqiao_worker_heartbeat_freshest_age_seconds", "shanqiao_database_up"} <= families
    before, before_detail = requests_to(app, "needs.index"), requests_to(app, "needs.detail")
    assert client.get("/needs").status_code == 200
    assert client.get(f"/needs/{need.id}").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    assert requests_to(app, "needs.index") == before + 1
    assert requests_to(app, "needs.detail") == before_detail + 1
    assert requests_to(app, "unmatched", "4xx") >= 1
    labels = (("endpoint", "needs.index"), ("method", "GET"), ("status", "2xx"))
    latency = samples(app)
    assert latency[("shanqiao_http_request_duration_seconds_count", *labels)] == before + 1
    assert latency[("shanqiao_http_request_duration_seconds_sum", *labels)] > 0
    body = scrape(app).get_data(as_text=True)
    assert f"/needs/{need.id}" not in body and f'"{need.id}"' not in body  # endpoint names, never paths or ids


def test_queued_mail_raises_the_backlog_and_a_mail_given_up_on_the_failures(app, world, tx):
    backlog = ("shanqiao_outbox_backlog", ("topic", "mail"))
    assert samples(app)[backlog] == 0 and samples(app)[("shanqiao_mail_failed",)] == 0
    queue_mail(tx, "reminder:1")
    queue_mail(tx, "reminder:2")
    assert samples(app)[backlog] == 2
    # The second message was sealed under a data key since replaced: the worker cannot open it.
    with tx() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == "reminder:2")).one()
        other_key = Vault(b"k" * 32).encrypt(json.dumps({"text": "您好"}))
        row.payload = {**row.payload, "sealed": base64.b64encode(other_key).decode()}
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    run_worker_once(app)  # mail delivery is suppressed in tests: the readable one counts as sent
    after = samples(app)
    assert after[backlog] == 0 and after[("shanqiao_mail_failed",)] == 1


def test_a_worker_round_sets_the_heartbeat_age(app):
    before = samples(app)
    assert before[("shanqiao_worker_heartbeat_freshest_age_seconds",)] == float("inf")
    assert not [k for k in before if k[0] == "shanqiao_worker_heartbeat_age_seconds"]
    run_worker_once(app)
    after = samples(app)
    assert after[("shanqiao_worker_heartbeat_freshest_age_seconds",)] < 5
    [(key, age)] = [(k, v) for k, v in after.items() if k[0] == "shanqiao_worker_heartbeat_age_seconds"]
    assert age < 5 and app.config["SEARCH_INDEX_DIR"] in dict(key[1:])["worker"]


def test_search_events_this_node_has_not_applied_show_as_lag_and_backlog(app, engine, world, tx):
    need = world.need("open")
    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    assert samples(app)[("shanqiao_search_index_lag_seconds",)] == 0
    with tx() as s:  # a change ten minutes ago that no worker applied to this node's index
        need_changed(s, need.id)
        s.flush()
        s.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=10)))
    waiting = samples(app)
    assert waiting[("shanqiao_search_index_lag_seconds",)] >= 590
    assert waiting[("shanqiao_outbox_backlog", ("topic", "search"))] == 1
    run_worker_once(app)
    applied = samples(app)
    assert applied[("shanqiao_search_index_lag_seconds",)] == 0
    assert applied[("shanqiao_outbox_backlog", ("topic", "search"))] == 0


def _page(response) -> tuple:
    """What tells one answer from another, but for the per-session CSRF token."""
    body = re.sub(r'name="csrf-token" content="[^"]*"', "", response.get_data(as_text=True))
    return response.status_code, body, sorted(response.headers.keys())


def test_other_addresses_get_the_plain_404_and_a_security_event(app, world, tx):
    response = scrape(app, OUTSIDER)
    unknown = app.test_client().get("/no-such-page", environ_base={"REMOTE_ADDR": OUTSIDER})
    assert response.status_code == 404 and _page(response) == _page(unknown)
    assert "shanqiao_" not in response.get_data(as_text=True)
    # Through a proxy the app was not told about (MARKETPLACE_PROXY_FIX), the peer is the proxy itself.
    assert scrape(app, "127.0.0.1", **{"X-Forwarded-For": OUTSIDER}).status_code == 404
    assert scrape(app, "::ffff:127.0.0.1").status_code == 200
    with tx() as s:
        denied = list(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "access.denied")))
    assert [(e.ip, e.path, e.detail["permission"]) for e in denied] == [
        (OUTSIDER, "/metrics", "ops.metrics"), ("127.0.0.1", "/metrics", "ops.metrics")]


@pytest.fixture
def app_allowing(database_url, instance_path, engine, tmp_path):
    made = []

    def make(allow: str):
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
                          "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "METRICS_ALLOW": allow})
        made.append(app)
        return app

    yield make
    for app in made:
        engine_of(app).dispose()


def test_the_allow_list_takes_addresses_and_networks(app_allowing, world):
    app = app_allowing("10.8.0.0/16, 2001:db8::5")
    assert scrape(app, "10.8.3.4").status_code == 200 and scrape(app, "2001:db8::5").status_code == 200
    assert scrape(app, "127.0.0.1").status_code == 404 and scrape(app, "10.9.0.1").status_code == 404
    assert scrape(app_allowing(""), "127.0.0.1").status_code == 404  # empty: nobody
    with pytest.raises(ValueError, match="MARKETPLACE_METRICS_ALLOW"):
        app_allowing("10.8.0.0/16,prometheus.internal")


def test_with_the_database_down_a_scrape_still_shows_the_request_figures(instance_path, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/none.db",
                      "INSTANCE_PATH": str(instance_path), "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    try:
        app.test_client().get("/healthz")
        response = scrape(app)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "shanqiao_database_up 0.0" in body and 'endpoint="health.healthz"' in body
        assert "shanqiao_outbox_backlog" not in body and "none.db" not in body
    finally:
        engine_of(app).dispose()


def test_a_scrape_is_never_cached(app, world):
    response = scrape(app, **{"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    openmetrics = scrape(app, Accept="application/openmetrics-text; version=1.0.0")
    assert openmetrics.headers["Content-Type"].startswith("application/openmetrics-text")
    assert openmetrics.get_data(as_text=True).endswith("# EOF\n")


def test_the_scrape_reads_through_indexes_with_a_large_outbox(app, engine, tx):
    """Search events are read from this node's cursor on through the primary key and mail through
    ix_outbox_due, never a scan of the outbox (0.4 s for 900,000 events on SQLite before the fix)."""
    rows = [{"topic": "mail" if n % 10 == 0 else "search", "kind": "need", "payload": {"need_id": 1},
             "status": ("failed" if n % 1000 == 0 else "sent") if n % 10 == 0 else "pending"}
            for n in range(20_000)]
    with tx() as s:
        s.execute(OutboxMessage.__table__.insert(), rows)
        newest = s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE outbox"))  # as autovacuum would have; SQLite gets no statistics
    directory = Path(app.config["SEARCH_INDEX_DIR"])
    directory.mkdir(parents=True)
    index.write_cursor(directory, newest - 10)
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "outbox" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with tx() as s:
            readings.search_lag_seconds(s, directory)
            assert readings.backlog(s, directory)["search"] == 9
            assert readings.mail_failed(s) == 20
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 4
    with engine.connect() as conn:
        for statement, parameters in statements:
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(explain + statement, parameters))
            assert "Seq Scan on outbox" not in plan and "SCAN outbox" not in plan, plan
            if "status" not in statement:  # the search stream
                assert "pk_outbox" in plan or "PRIMARY KEY" in plan, plan


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_under_gunicorn_a_scrape_counts_every_worker_processs_requests(database_url, instance_path, world,
                                                                        tmp_path):
    import subprocess
    import sys
    import time

    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier server")  # unreadable: must be emptied
    port = _free_port()
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": database_url, "MARKETPLACE_INSTANCE_PATH": str(instance_path),
           "MARKETPLACE_SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "MARKETPLACE_PUBLIC_PAGE_CACHE_SECONDS": "0", "PYTHONWARNINGS": "ignore"}
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "2", "--threads", "2"], env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        # Requests in parallel until both workers have served some (which one accepts is the kernel's
        # choice); every process counts its own in a file of its own.
        from concurrent.futures import ThreadPoolExecutor

        sent, deadline = 0, time.monotonic() + 20
        with ThreadPoolExecutor(8) as pool:
            while len(list(metrics_dir.glob("counter_*.db"))) < 2 and time.monotonic() < deadline:
                assert all(code == 200 for code, *_ in pool.map(lambda _: _get(port, "/needs"), range(16)))
                sent += 16
        assert not (metrics_dir / "counter_1.db").exists()  # the stale file is gone
        assert len({p.name for p in metrics_dir.glob("counter_*.db")}) == 2, "both workers served"
        for _ in range(3):  # whichever worker answers the scrape, it counts every request sent
            status, body = _get(port, "/metrics")
            assert status == 200
            counts = {tuple(sorted(s.labels.items())): s.value for f in text_string_to_metric_families(body)
                      for s in f.samples if s.name == "shanqiao_http_requests_total"}
            assert counts[(("endpoint", "needs.index"), ("method", "GET"), ("status", "2xx"))] == sent
    finally:
        server.terminate()
        server.wait(15)


def test_an_operators_metrics_directory_loses_only_prometheus_files(tmp_path, monkeypatch):
    """PROMETHEUS_MULTIPROC_DIR is emptied of an earlier server's counts at start; whatever else the
    operator keeps there (a SQLite database, say) stays."""
    from marketplace.serving import prepare_metrics_dir

    for name in ("counter_412.db", "gauge_livesum_413.db", "histogram_9.db", "shanqiao.db", "notes_1.db"):
        (tmp_path / name).write_bytes(b"x")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert prepare_metrics_dir() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes_1.db", "shanqiao.db"]
