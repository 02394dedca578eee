"""Engines and the one session per request.

SQLite runs in WAL with foreign keys and a busy timeout. Transactions that may write open with
BEGIN IMMEDIATE: a deferred transaction that upgrades from read to write fails with SQLITE_BUSY at
once, whatever the timeout, which would turn a claim race into 500s."""

from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from flask import session as cookie_session
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlmodel import Session

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def make_engine(url: str, busy_timeout_ms: int = 15000) -> Engine:
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        from .private_files import private_sqlite_file

        private_sqlite_file(make_url(url).database)  # 0600, and so its WAL and SHM files
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "DEFERRED" if conn.get_execution_options().get("read_only") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def writing_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def reading_session(engine: Engine) -> Session:
    return Session(engine.execution_options(read_only=True), expire_on_commit=False)


@contextmanager
def transaction(engine: Engine):
    """The commit point for work outside a request (CLI, worker, tests)."""
    session = writing_session(engine)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def db() -> Session:
    """The request's session. Anonymous reads take a deferred transaction; anything that may write
    (a state-changing method, or a signed-in user whose page views are audit-logged) an immediate one."""
    if "db_session" not in g:
        engine = current_app.extensions["marketplace.engine"]
        may_write = request.method not in _SAFE_METHODS or "_user_id" in cookie_session
        g.db_session = writing_session(engine) if may_write else reading_session(engine)
    return g.db_session


def keep_even_on_rollback(session: Session, row) -> None:
    """Add an audit row that must survive the request failing: after a rollback it is written again on
    its own. Outside a request it simply joins the caller's transaction."""
    session.add(row)
    if has_request_context():
        g.setdefault("audit_rows", []).append(row)


def keep_effect_even_on_rollback(session: Session, effect):
    """Run `effect(session)` now, and again on its own after a rollback: for counters that must count
    the very requests that fail (a wrong password answers 422, yet the throttle must remember it).
    Returns what the first run returned."""
    result = effect(session)
    if has_request_context():
        g.setdefault("audit_effects", []).append(effect)
    return result


def _write_audit_rows(session: Session) -> None:
    rows = g.pop("audit_rows", [])
    effects = g.pop("audit_effects", [])
    if not rows and not effects:
        return
    session.add_all(type(row)(**{c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"})
                    for row in rows)
    for effect in effects:
        effect(session)
    session.commit()


def init_app(app) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions["marketplace.engine"] = engine

    @app.after_request
    def _commit(response):
        # The request's single commit point: only a successful response keeps its writes.
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
                    _write_audit_rows(session)
            finally:
                session.close()
        return response

    @app.teardown_request
    def _rollback(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def engine_of(app) -> Engine:
    return app.extensions["marketplace.engine"]
