"""The real server of `marketplace serve` (gunicorn, started as an operator would in a subprocess on a free
loopback port): it answers, its Server header names no version, long URLs are answered 414 rather than a
dropped connection, and its access log holds no token and no query string."""

import os
import socket
import subprocess
import sys
import time

import pytest

from marketplace.serving import SERVER_NAME, default_workers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(database_url, instance_path, tmp_path_factory):
    """One gunicorn for the module (starting one costs a second); the tests' data is made through the
    same database it reads."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": database_url, "MARKETPLACE_INSTANCE_PATH": str(instance_path),
           "MARKETPLACE_SEARCH_INDEX_DIR": str(log_path.parent / "search-index"),
           "MARKETPLACE_STAFF_2FA": "optional", "PYTHONWARNINGS": "ignore"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                    "--workers", "1", "--threads", "2"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
    yield ("127.0.0.1", port), log_path
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def address(server):
    return server[0]


def _exchange(address, request: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _get(address, path: str) -> tuple[int, dict[str, str], bytes]:
    raw = _exchange(address, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_the_server_answers_with_a_server_header_naming_no_version(address, world):
    status, headers, body = _get(address, "/")
    assert status == 200 and headers["server"] == SERVER_NAME
    assert "善桥" in body.decode()
    status, headers, _ = _get(address, "/needs")
    assert status == 200 and headers["server"] == SERVER_NAME
    status, headers, _ = _get(address, "/nothing-here")
    assert status == 404 and headers["server"] == SERVER_NAME


@pytest.mark.parametrize("length", [8_300, 9_000, 20_000, 70_000, 300_000])
def test_a_url_over_8_kb_gets_414(address, length):
    status, headers, body = _get(address, "/needs?q=" + "a" * length)
    assert status == 414 and headers["server"] == SERVER_NAME
    assert "网址太长" in body.decode()


def test_a_long_url_under_8_kb_is_served(address):
    """gunicorn's line limit (8,190 bytes with "GET " and " HTTP/1.1") leaves a URL just under 8 KB to
    the app."""
    status, headers, body = _get(address, "/needs?q=" + "a" * 8_100)
    assert status == 200 and headers["server"] == SERVER_NAME


def test_the_access_log_holds_no_token_and_no_query(server):
    address, log_path = server
    _get(address, "/password/reset/SeCrEtToKeN123")
    _get(address, "/needs?q=341621194001011234")
    time.sleep(0.3)  # gunicorn writes the access line after the response
    log = log_path.read_text()
    assert "/password/reset/[已隐去]" in log
    assert "SeCrEtToKeN123" not in log and "341621194001011234" not in log
    assert '"GET /needs HTTP/1.1" 200' in log


def test_the_default_worker_count_follows_the_cores():
    assert default_workers(1) == 1 and default_workers(2) == 2 and default_workers(64) == 8
