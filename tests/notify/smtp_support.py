"""A real SMTP server for the delivery tests (aiosmtpd on 127.0.0.1), and a guard that fails any test
whose code tries to reach an SMTP server it did not start.

tests/notify/conftest.py provides the server fixture to the tests of that directory; the guard is
suite-wide (tests/conftest.py)."""

import asyncio
import socket
import threading
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from support import SMTP_ALLOWED as _ALLOWED  # the suite-wide guard (tests/conftest.py) lets these through


def free_port() -> int:
    """aiosmtpd's Controller(port=0) cannot report the port it got, so pick one first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted; `delay` makes the server slow, `refuse` a set of
    recipients answered with 550."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.refuse: set[str] = set()
        self.messages = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]


class SmtpServer:
    """One aiosmtpd server on a fixed free port that can be stopped (connections are then refused) and
    started again on the same port."""

    def __init__(self, delay: float = 0.0):
        self.host, self.port = "127.0.0.1", free_port()
        self.recorder = Recorder(delay)
        self._controller: Controller | None = None
        _ALLOWED.add((self.host, self.port))

    def start(self) -> "SmtpServer":
        if self._controller is None:
            self._controller = Controller(self.recorder, hostname=self.host, port=self.port,
                                          ready_timeout=5.0)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self):
        return self.recorder.messages

    def point(self, app) -> None:
        """Aim the app's Flask-Mail at this server (Flask-Mail copies its settings at init_app)."""
        app.config.update(MAIL_SERVER=self.host, MAIL_PORT=self.port)
        state = app.extensions["mail"]
        state.server, state.port, state.suppress = self.host, self.port, False


@pytest.fixture
def smtp_server(app):
    server = SmtpServer().start()
    server.point(app)
    yield server
    server.stop()


