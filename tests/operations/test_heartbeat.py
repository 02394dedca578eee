"""The worker's heartbeat: every `marketplace worker` keeps a row of its own current (two workers on one host
are told apart), beats at most every few seconds however fast it polls, and housekeeping forgets workers
gone for a day."""

import os
import socket
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from marketplace import create_app
from marketplace.cli import main
from marketplace.db import engine_of
from marketplace.modelbase import utcnow
from marketplace.operations import heartbeat
from marketplace.operations.models import WorkerHeartbeat
from marketplace.worker import run_housekeeping
from support import run_worker_once


def _rows(tx) -> dict[str, WorkerHeartbeat]:
    with tx() as s:
        return {row.name: row for row in s.scalars(select(WorkerHeartbeat))}


def test_a_worker_round_writes_its_heartbeat(app, tx):
    assert _rows(tx) == {}
    with tx() as s:
        assert heartbeat.freshest_age(s) is None
    run_worker_once(app)
    [row] = _rows(tx).values()
    assert row.host == socket.gethostname() and row.pid == os.getpid() and row.rounds == 1
    assert app.config["SEARCH_INDEX_DIR"] in row.name and str(os.getpid()) in row.name
    assert utcnow() - row.beat_at < timedelta(seconds=5)
    with tx() as s:
        assert heartbeat.freshest_age(s) < 5


def test_two_workers_on_one_host_have_a_row_each_and_a_named_one_keeps_its_name(app, tx, database_url,
                                                                                 instance_path, tmp_path):
    """Each app node keeps its own index, and so runs its own worker: the index directory tells them apart."""
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
                        "SEARCH_INDEX_DIR": str(tmp_path / "second-node-index"), "MAIL_SUPPRESS_SEND": True})
    try:
        run_worker_once(app)
        run_worker_once(other)
        from marketplace.worker import run_worker

        run_worker(other, once=True, name="县级节点 worker")
        run_worker(other, once=True, name="县级节点 worker")  # restarted under the same name: one row
    finally:
        engine_of(other).dispose()
    rows = _rows(tx)
    assert len(rows) == 3 and "县级节点 worker" in rows
    assert {name.split(":", 2)[2] for name in rows if name != "县级节点 worker"} == {
        app.config["SEARCH_INDEX_DIR"], str(tmp_path / "second-node-index")}


def test_the_worker_command_takes_a_name(app, tx, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_SEARCH_INDEX_DIR", str(tmp_path / "cli-index"))
    monkeypatch.setenv("MARKETPLACE_MAIL_SUPPRESS", "1")
    result = CliRunner().invoke(main, ["worker", "--once", "--name", "node-1"])
    assert result.exit_code == 0, result.output
    assert list(_rows(tx)) == ["node-1"]


def test_a_fast_polling_worker_writes_at_most_every_few_seconds(engine, tx, monkeypatch):
    beat = heartbeat.Heartbeat(engine, "polling")
    assert beat.beat() is True
    assert beat.beat() is False and beat.beat() is False  # rounds a second apart: counted, not written
    assert _rows(tx)["polling"].rounds == 1
    monkeypatch.setattr(heartbeat, "BEAT_EVERY", 0.0)  # as if the seconds had passed
    assert beat.beat() is True
    assert _rows(tx)["polling"].rounds == 4


def test_housekeeping_forgets_workers_gone_for_a_day(app, tx):
    with tx() as s:
        s.add(WorkerHeartbeat(name="gone", host="old-host", pid=1, started_at=utcnow() - timedelta(days=3),
                              beat_at=utcnow() - timedelta(hours=25), rounds=9))
        s.add(WorkerHeartbeat(name="stopped an hour ago", host="old-host", pid=2,
                              beat_at=utcnow() - timedelta(hours=1), rounds=3))
    run_housekeeping(app)
    assert set(_rows(tx)) == {"stopped an hour ago"}
    with tx() as s:
        assert 3590 < heartbeat.freshest_age(s) < 3700
        assert set(heartbeat.ages(s)) == {"stopped an hour ago"}
