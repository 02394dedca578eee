"""A small production layout as real processes, for tests/scale: app nodes (`marketplace serve`, gunicorn)
and a `marketplace worker` per node, all on one PostgreSQL database; a real SMTP server in the test
process; and a browser-like HTTP client (urllib, cookies, CSRF tokens) to drive them.

Each node has its own instance directory and search index, and every process gets the same secret key
and data key through MARKETPLACE_SECRET_KEY / MARKETPLACE_DATA_KEY, as the README's production section
asks: left to generate their own into instance/, two nodes would sign cookies and seal mail with
different keys. Every process leads its own process group, so stopping kills gunicorn's workers too."""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

from aiosmtpd.controller import Controller

STOP_GRACE_SECONDS = 5


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def marketplace_command() -> list[str]:
    """The installed console script beside this interpreter (.venv/bin/marketplace)."""
    script = Path(sys.executable).with_name("marketplace")
    if script.exists():
        return [str(script)]
    found = shutil.which("marketplace")
    assert found, "the `marketplace` command is not installed (pip install -e .)"
    return [found]


class Mailbox:
    """aiosmtpd on 127.0.0.1 that keeps every message it accepted (as in tests/notify/smtp_support.py,
    but the senders here are other processes)."""

    def __init__(self):
        self.host, self.port = "127.0.0.1", free_port()
        self.messages = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=self.host, port=self.port, ready_timeout=5.0)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def received(self) -> list:
        with self._lock:
            return list(self.messages)

    def start(self) -> "Mailbox":
        self._controller.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._controller.stop()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class Node:
    name: str
    url: str
    index_dir: Path


class Cluster:
    """`start_node` and `start_worker` return at once; `wait_ready` waits for every node's /readyz (which
    needs the node's index, built by its worker). `stop` is idempotent."""

    def __init__(self, root: Path, database_url: str, *, secret_key: str, data_key: str,
                 extra_env: dict[str, str] | None = None):
        self.root, self.processes, self.nodes = Path(root), [], []
        # Nothing of the caller's MARKETPLACE_* settings leaks in: each process sees exactly this.
        base = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
        self.env = {**base, "PYTHONUNBUFFERED": "1", "MARKETPLACE_DATABASE_URL": database_url,
                    "MARKETPLACE_SECRET_KEY": secret_key, "MARKETPLACE_DATA_KEY": data_key,
                    **(extra_env or {})}

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(marketplace_command() + args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.root)
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def _node_env(self, name: str) -> dict[str, str]:
        home = self.root / name
        return {**self.env, "MARKETPLACE_INSTANCE_PATH": str(home / "instance"),
                "MARKETPLACE_SEARCH_INDEX_DIR": str(home / "search-index")}

    def start_node(self, name: str, workers: int = 2) -> Node:
        port = free_port()
        self._spawn(f"{name}-app", ["serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                    self._node_env(name))
        node = Node(name, f"http://127.0.0.1:{port}", self.root / name / "search-index")
        self.nodes.append(node)
        return node

    def start_worker(self, node: Node) -> Process:
        """The node's worker: same instance and index directory as its app processes."""
        return self._spawn(f"{node.name}-worker", ["worker"], self._node_env(node.name))

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes)

    def wait_ready(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        pending = {node.name: node for node in self.nodes}
        answers: dict[str, str] = {}
        probe = Browser()
        while pending:
            dead = [p for p in self.processes if p.popen.poll() is not None]
            assert not dead, f"{[p.name for p in dead]} exited early\n{self.logs()}"
            assert time.monotonic() < deadline, f"not ready in {timeout} s: {answers}\n{self.logs()}"
            for name, node in list(pending.items()):
                try:
                    answer = probe.get(f"{node.url}/readyz", timeout=2)
                except OSError as error:  # not listening yet
                    answers[name] = repr(error)
                    continue
                answers[name] = answer.text
                if answer.status == 200:
                    del pending[name]
            if pending:
                time.sleep(0.25)

    def stop(self) -> None:
        """TERM to every process group at once, then KILL whatever is left after the grace period."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            # The group too: a gunicorn worker may outlive its master for a moment.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(5)
        self.processes = [p for p in self.processes if p.popen.poll() is None]


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 303 itself is the answer the tests look at


class Browser:
    """One person's browser: a cookie jar (shared by every node, as behind one load balancer), no
    automatic redirects, and the CSRF token of the last page that carried one."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf: str | None = None

    def request(self, method: str, url: str, data: dict | None = None, timeout: float = 15) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                response = Response(answer.status, dict(answer.headers), answer.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            with error:
                response = Response(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))
        token = _csrf_token(response.text)
        if token:
            self.csrf = token
        return response

    def get(self, url: str, timeout: float = 15) -> Response:
        return self.request("GET", url, timeout=timeout)

    def post(self, url: str, data: dict | None = None, timeout: float = 15) -> Response:
        """POST with the CSRF token of the last page seen, as the form on it would."""
        assert self.csrf, "no page with a CSRF token was opened first"
        return self.request("POST", url, {**(data or {}), "csrf_token": self.csrf}, timeout=timeout)

    def login(self, node: Node, email: str, password: str) -> None:
        self.get(f"{node.url}/login")
        response = self.post(f"{node.url}/login", {"email": email, "password": password})
        assert response.status == 303 and "/login" not in response.location, (response.status, response.text[:500])
        # Signing in starts a new session, and with it a new CSRF token: take it from the next page.
        assert self.get(f"{node.url}/").status == 200


def _csrf_token(html: str) -> str | None:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else None
