"""The Alembic history builds the schema the models describe, on an empty database."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import marketplace.models  # noqa: F401
from marketplace.db import make_engine
from marketplace.migrate import upgrade


def _differences(url: str):
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


def test_upgrade_on_an_empty_sqlite_database_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    assert _differences(url) == []


def test_the_test_database_was_built_by_migrations_and_matches_the_models(database_url):
    # The session fixture emptied this database (PostgreSQL: dropped the schema) and ran `upgrade head`.
    assert _differences(database_url) == []


def test_upgrading_a_sqlite_database_with_data_keeps_it(tmp_path):
    """SQLite batch mode rebuilds tables that other tables reference: the rows must survive.
    (PostgreSQL alters tables in place; the suite's own upgrade covers it.)"""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO region (code, name, level) VALUES ('341621', '涡阳县', 'county')"))
        conn.execute(text("INSERT INTO app_user (email, display_name, password_hash, role, region_code, is_active, "
                          "created_at) VALUES ('a@b.cn', 'a', 'x', 'staff', '341621', 1, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO household (public_code, tier, region_code, members, hardships, status, "
                          "created_at, updated_at) VALUES ('HAAAA2222', 'dibao', '341621', 2, '[]', 'active', "
                          "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO need (household_id, region_code, category, form, title, description, urgency, "
                          "deadline, status, version, consent_to_share, created_by_id, created_at, updated_at) "
                          "VALUES (1, '341621', 'care', 'service', '上门助浴服务', '', 'normal', '2027-01-01', 'open', 2, 1, "
                          "1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO need_history (need_id, to_status, at) VALUES (1, 'open', '2026-01-01 00:00:00')"))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title, contact_basis FROM need")).one() == ("上门助浴服务", "none")
        assert conn.execute(text("SELECT count(*) FROM need_history")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert _differences(url) == []


def test_queued_mail_keeps_its_readers_after_the_region_moves_into_a_column(tmp_path):
    """0014: a county clerk's 邮件队列 reads the new outbox.region column; mail queued before the upgrade
    carries its region only in the payload, and must still be found by that clerk."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'mail.db'}"
    upgrade(url, "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        for key, payload in (("a", '{"to": "a@b.cn", "region": "341621100"}'), ("b", '{"to": "b@b.cn"}')):
            conn.execute(text("INSERT INTO outbox (topic, kind, payload, idempotency_key, status, attempts, "
                              "next_attempt_at, created_at) VALUES ('mail', 'x', :payload, :key, 'pending', 0, "
                              "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {"payload": payload, "key": key})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT idempotency_key, region FROM outbox ORDER BY id")).all() == [
            ("a", "341621100"), ("b", None)]
    engine.dispose()
