"""Fixtures: a real database (SQLite file, or PostgreSQL from MARKETPLACE_TEST_DATABASE_URL) migrated once
with Alembic, emptied after every test; an app and client bound to it; factories that return callables."""

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import marketplace.models  # noqa: F401
from marketplace import create_app
from marketplace.db import make_engine, transaction
from marketplace.migrate import upgrade
from marketplace.search import index as search_index
from support import SMTP_ALLOWED, World


def _reset_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """scrypt costs ~60 ms a user; the suite creates thousands. One test checks the real method."""
    from marketplace.auth import service

    real, service.PASSWORD_METHOD = service.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    yield
    service.PASSWORD_METHOD = real


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("MARKETPLACE_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    _reset_schema(url)
    upgrade(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def instance_path(tmp_path_factory):
    """Keeps generated keys out of the checkout's instance/ for everything the suite starts."""
    path = tmp_path_factory.mktemp("instance")
    os.environ["MARKETPLACE_INSTANCE_PATH"] = str(path)
    return path


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    yield
    if "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def app(database_url, instance_path, engine, tmp_path):
    # The search index is per test: a test that builds one must not leave it for the next.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
                      "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
                      # Workers run by tests deliver nowhere unless the test started an SMTP server (smtp_server).
                      "MAIL_SUPPRESS_SEND": True,
                      # Staff sign in with a password alone unless a test turns the second factor on.
                      "STAFF_2FA": "optional",
                      # Tests change data around the app (World) and expect the next page to show it; the
                      # micro-cache of anonymous pages is tested on its own (tests/web/test_page_cache.py).
                      "PUBLIC_PAGE_CACHE_SECONDS": 0})
    yield app
    app.extensions["marketplace.engine"].dispose()
    # The process keeps open searchers per index directory (search/index.py's pool): this test's directory
    # is never read again, and its open files would pile up over the suite until SQLite cannot open its own.
    search_index.forget(Path(app.config["SEARCH_INDEX_DIR"]))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tx(engine):
    """A committed unit of work for arranging data: `with tx() as s: ...`."""
    return lambda: transaction(engine)


@pytest.fixture
def world(tx):
    return World(tx)


@pytest.fixture(autouse=True)
def no_unexpected_smtp(monkeypatch):
    """Fails any test whose code connects to an SMTP server the test did not start (Indico's safeguard)."""
    import smtplib

    real_connect = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if (host, int(port or 25)) not in SMTP_ALLOWED:
            raise AssertionError(f"a test tried to reach an SMTP server it did not start, at {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)
    yield
    SMTP_ALLOWED.clear()


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server on 127.0.0.1 (moto's server mode, a real HTTP server in a thread) for
    evidence storage on object storage. Dummy credentials: moto accepts any."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "shanqiao-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "shanqiao-test")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage_url(s3_endpoint):
    """MARKETPLACE_STORAGE_URL of a fresh bucket on the local S3 server."""
    import uuid

    import boto3

    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/files?endpoint_url={s3_endpoint}&region=us-east-1"


@pytest.fixture(params=["local", "s3"])
def storage_url(request, tmp_path):
    """Both storages: a test taking this runs once on a local directory and once on the local S3 server."""
    if request.param == "local":
        return str(tmp_path / "evidence")
    return request.getfixturevalue("s3_storage_url")
