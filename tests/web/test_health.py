"""Liveness and readiness probes: /healthz answers whenever the process does (even with the database
down); /readyz says 503, naming the check, when the database, this node's search index or the worker's
application of the search stream is not there."""

from datetime import timedelta
from pathlib import Path

from marketplace import create_app
from marketplace.modelbase import utcnow
from marketplace.outbox.models import OutboxMessage
from marketplace.search.sync import SearchSync


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


def test_ready_when_database_index_and_stream_are_current(app, client, engine, world):
    world.need("open")
    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    status, body = _ready(client)
    assert status == 200 and body["ready"] is True
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database", "search_index", "search_stream"}
    assert body["checks"]["search_stream"]["lag_seconds"] == 0


def test_not_ready_without_a_search_index(client, world):
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["search_index"]["ok"] is False and body["checks"]["database"]["ok"] is True


def test_not_ready_when_the_worker_left_search_events_unapplied(app, client, engine, world, tx):
    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
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

    SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    login(client, "poster@guoyang.gov.cn")
    assert _ready(client)[0] == 200
