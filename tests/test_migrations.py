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
