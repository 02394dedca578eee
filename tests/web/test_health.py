"""Liveness and readiness probes: /healthz answers whenever the process does (even with the database
down); /readyz says 503, naming the check, when the database, this node's search index, a live worker
(its heartbeat) or the worker's application of this node's search stream is not there."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from marketplace import create_app
from marketplace.modelbase import utcnow
from marketplace.operations.models import WorkerHeartbeat
from marketplace.outbox.models import OutboxMessage
from marketplace.search.sync import SearchSync
from support import run_worker_once


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, response.get_json()


def test_liveness_answers_without_the_database(instance_path, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/none.db",
                      "INSTANCE_PATH": str(instance_path), "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 200 and response.get_data(as_text=True).strip() == "ok"
        status, body = _ready(app.test_client())
        assert status == 503 and body["ready"] is False
        assert body["checks"]["database"]["ok"] is False
        assert "sqlite" not in str(body) and "missing" not in str(body)  # no URL or path leaks
    finally:
        app.extensions["marketplace.engine"].dispose()


def test_ready_when_database_index_worker_and_stream_are_current(app, client, engine, world):
    world.need("open")
    run_worker_once(app)  # builds this node's index, applies the stream, beats
    status, body = _ready(client)
    assert status == 200 and body["ready"] is True
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database", "search_index", "worker", "search_stream"}
    assert body["checks"]["search_stream"]["lag_seconds"] == 0
    assert body["checks"]["worker"]["age_seconds"] <= 5 and body["checks"]["worker"]["limit_seconds"] == 60
    assert "note" not in body["checks"]["search_stream"]


def test_not_ready_until_a_worker_has_beaten(app, client, engine, world):
    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild()  # index and stream are current
    status, body = _ready(client)
    assert status == 503
    worker = body["checks"]["worker"]
    assert worker["ok"] is False and "没有任何 worker 心跳记录" in worker["detail"]
    assert body["checks"]["search_stream"]["ok"] is True
    run_worker_once(app)
    assert _ready(client)[0] == 200


def test_not_ready_when_the_last_heartbeat_is_too_old(app, client, world, tx):
    run_worker_once(app)
    with tx() as s:  # the worker stopped two minutes ago
        s.execute(update(WorkerHeartbeat).values(beat_at=utcnow() - timedelta(minutes=2)))
    status, body = _ready(client)
    worker = body["checks"]["worker"]
    assert status == 503 and worker["ok"] is False and worker["age_seconds"] >= 119
    assert "没有心跳" in worker["detail"] and "60" in worker["detail"]
    app.config["READY_MAX_HEARTBEAT_SECONDS"] = 600  # MARKETPLACE_READY_MAX_HEARTBEAT_SECONDS
    assert _ready(client)[0] == 200


def test_not_ready_without_a_search_index(client, world):
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["search_index"]["ok"] is False and body["checks"]["database"]["ok"] is True


def test_not_ready_when_the_worker_left_search_events_unapplied(app, client, engine, world, tx):
    run_worker_once(app)  # a worker beats (elsewhere, say), but this node's stream is not applied
    with tx() as s:  # a need changed ten minutes ago and no worker applied it to this node's index
        s.add(OutboxMessage(topic="search", kind="need", payload={"need_id": 1},
                            created_at=utcnow() - timedelta(minutes=10)))
    status, body = _ready(client)
    assert status == 503
    stream = body["checks"]["search_stream"]
    assert stream["ok"] is False and stream["lag_seconds"] >= 590
    # A worker round applies it: ready again.
    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).catch_up()
    assert _ready(client)[0] == 200


def test_probes_are_never_cached_and_reveal_no_data(app, client, world):
    SearchSync(app.extensions["marketplace.engine"], Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
    assert "涡阳" not in client.get("/readyz").get_data(as_text=True)


def test_ready_for_a_signed_in_caller_too(app, client, engine, world):
    """A signed-in request holds the database's write lock on SQLite: the probe must not wait behind it."""
    from support import login

    run_worker_once(app)
    login(client, "poster@guoyang.gov.cn")
    assert _ready(client)[0] == 200
