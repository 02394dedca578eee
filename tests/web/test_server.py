"""The real server of `marketplace serve`: no version in the Server header, and long URLs answered 414
rather than a dropped connection."""

import socket
import threading

import pytest
from werkzeug.serving import make_server

from marketplace.serving import SERVER_NAME, RequestHandler


@pytest.fixture
def server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()
    thread.join(5)


def _exchange(address, request: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _get(address, path: str) -> tuple[int, dict[str, str], bytes]:
    raw = _exchange(address, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_the_server_header_names_no_version(server, world):
    status, headers, _ = _get(server, "/needs")
    assert status == 200 and headers["server"] == SERVER_NAME
    status, headers, _ = _get(server, "/nothing-here")
    assert status == 404 and headers["server"] == SERVER_NAME


@pytest.mark.parametrize("length", [9_000, 20_000, 70_000, 300_000])
def test_a_url_over_8_kb_gets_414(server, world, length):
    status, headers, body = _get(server, "/needs?q=" + "a" * length)
    assert status == 414 and headers["server"] == SERVER_NAME
    assert "网址太长" in body.decode()
