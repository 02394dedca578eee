"""Pieces every benchmark needs: an empty migrated database, and the labelled search set."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(url: str | None, path: Path) -> str:
    """A database migrated to head: a new SQLite file at `path`, or the given PostgreSQL database with its
    public schema dropped and recreated (so point it at a disposable one)."""
    from sqlalchemy import text

    from marketplace.db import make_engine
    from marketplace.migrate import upgrade

    url = url or f"sqlite:///{path}"
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def load_relevance_set():
    """tests/search/relevance_set.py's CORPUS and QUERIES, loaded from the file (tests is not a package)."""
    path = ROOT / "tests" / "search" / "relevance_set.py"
    spec = importlib.util.spec_from_file_location("relevance_set", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CORPUS, module.QUERIES
