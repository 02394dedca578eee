"""The stored public figures: one row per scope and category, replaced by each refresh (an upsert), refreshed by
the worker every PUBLIC_FIGURES_MINUTES without ever stopping it, and by `marketplace transparency refresh`."""

import logging
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text, update
from sqlmodel import Session

from marketplace.modelbase import utcnow
from marketplace.transparency import figures, store
from marketplace.transparency.cli import transparency_group
from marketplace.transparency.models import PublicFigures
from marketplace.vocabulary import CATEGORIES

SCOPES = [("", "亳州市"), ("341600", "亳州市"), ("341621", "涡阳县"), ("341622", "蒙城县")]


def _rows(engine) -> dict:
    with Session(engine) as s:
        return {(r.scope_code, r.category): r for r in s.scalars(select(PublicFigures))}


def _posted(row) -> int:
    area = next(t for t in row.payload["tables"] if t["id"] == "needs_by_area")
    return area["total"]


def test_refresh_is_an_upsert_that_replaces_every_row(world, tx, engine):
    for _ in range(5):
        world.need("open")
    world.household("341622100")
    with tx() as s:
        first = store.refresh_all(s)
    assert {(scope, category) for scope, category, _ in first} == {
        (scope, category) for scope, _ in SCOPES for category in ("", *CATEGORIES)}
    before = _rows(engine)
    assert len(before) == len(SCOPES) * (1 + len(CATEGORIES)) and _posted(before[("341621", "")]) == 5
    world.need("open")
    later = utcnow() + timedelta(minutes=1)
    with tx() as s:
        s.add(PublicFigures(scope_code="341699", category=""))  # a scope whose households are gone
    with tx() as s:
        store.refresh_all(s, later)
    after = _rows(engine)
    assert after.keys() == before.keys()  # the same rows, replaced; the stale scope deleted
    assert all(after[k].id == before[k].id for k in before)
    assert _posted(after[("341621", "")]) == 6 and _posted(after[("", "")]) == 6
    assert all(row.computed_at > before[k].computed_at and row.payload["computed_at"] == later.isoformat()
               for k, row in after.items())


def test_scopes_list_the_root_first_and_read_finds_one_row(world, tx, engine):
    world.household("341621100")
    world.household("341622100")
    with Session(engine) as s:
        assert store.scopes(s) == [] and store.read(s, "", "") is None
    with tx() as s:
        store.refresh_all(s)
    with Session(engine) as s:
        assert store.scopes(s) == SCOPES
        row = store.read(s, "341622", "medical")
        assert row.payload["scope"] == "341622" and row.payload["category"] == "medical"
        assert store.read(s, "341623", "") is None


def test_the_worker_refreshes_when_due_and_never_fails(app, world, tx, engine, monkeypatch, caplog):
    world.need("open")
    app.config["PUBLIC_FIGURES_MINUTES"] = 0
    assert store.refresh_for_worker(app) == [] and not _rows(engine)
    app.config["PUBLIC_FIGURES_MINUTES"] = 30
    assert store.refresh_for_worker(app) and _rows(engine)
    assert store.refresh_for_worker(app) == []  # fresh: nothing to do
    with tx() as s:
        s.execute(update(PublicFigures).values(computed_at=utcnow() - timedelta(minutes=31)))
    assert store.refresh_for_worker(app)
    with tx() as s:
        s.execute(update(PublicFigures).values(computed_at=utcnow() - timedelta(minutes=31)))

    def broken(*args, **kwargs):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(figures, "compute_all", broken)
    with caplog.at_level(logging.ERROR):
        assert store.refresh_for_worker(app) == []
    assert "public figures were not refreshed" in caplog.text
    assert len(_rows(engine)) == len(SCOPES[:3]) * (1 + len(CATEGORIES))  # the last figures stay


def test_one_refresh_at_a_time_on_postgresql(world, tx, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    world.need("open")
    with engine.connect() as other:
        other.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": store._PG_LOCK})
        with tx() as s:
            assert store.refresh_all(s) == []
        other.rollback()
    with tx() as s:
        assert store.refresh_all(s)


def test_the_command_refreshes_and_prints_the_seconds(world, engine, database_url, monkeypatch):
    world.need("open")
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(transparency_group, ["refresh"])
    assert result.exit_code == 0, result.output
    assert "scopes=3 (root, 341600, 341621)" in result.output
    assert f"refreshed={3 * (1 + len(CATEGORIES))} payloads in " in result.output and result.output.rstrip().endswith(" s")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PublicFigures)) == 3 * (1 + len(CATEGORIES))


def test_the_demo_shows_figures_at_once(app, engine):
    from marketplace.demo.seed import seed_demo

    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with Session(engine) as s:
        row = store.read(s, "", "")
        assert row is not None and _posted(row) and row.payload["scope_name"]
