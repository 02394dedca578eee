"""The demo's mail: a local SMTP sink that keeps every message in a Maildir, and the reading of it for the
演示邮箱 page, so password reset, invitations and digests can be followed without a real mail server.

The sink is aiosmtpd (the maintained asyncio SMTP server; the standard library's `smtpd` is gone from
Python 3.12). It runs as a process of its own beside the server and the worker (`marketplace mail-sink`),
so no thread is running when gunicorn forks. Maildir delivery is atomic (written under tmp/, renamed into
new/), so the page never reads half a message."""

import mailbox
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from markupsafe import Markup, escape

from ..i18n import _

_URL = re.compile(r"https?://[^\s<>\"'）。，]+")


class MaildirHandler:
    """aiosmtpd handler: every accepted message goes into the Maildir, whoever it is addressed to."""

    def __init__(self, path: Path):
        self.box = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.content)
        return "250 Message accepted for delivery"


def serve(path: Path, host: str = "127.0.0.1", port: int = 8025) -> None:
    """Run the sink until the process is stopped."""
    from aiosmtpd.controller import Controller

    controller = Controller(MaildirHandler(path), hostname=host, port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


@dataclass
class CaughtMail:
    key: str
    subject: str
    to: str
    at: datetime | None
    text: str

    @property
    def body(self) -> Markup:
        """The text body, escaped, with its links clickable."""
        parts, last = [], 0
        for match in _URL.finditer(self.text):
            parts += [escape(self.text[last:match.start()]),
                      Markup('<a href="{0}">{0}</a>').format(match.group(0))]
            last = match.end()
        parts.append(escape(self.text[last:]))
        return Markup("").join(parts)


def _text(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def caught(path: Path, limit: int = 200) -> list[CaughtMail]:
    """The newest `limit` messages the sink caught, newest first."""
    if not Path(path, "new").is_dir():
        return []
    files = sorted(((p.stat().st_mtime, p) for sub in ("new", "cur") for p in Path(path, sub).iterdir()),
                   reverse=True)[:limit]
    mails = []
    for mtime, file in files:
        message = message_from_bytes(file.read_bytes(), policy=email_policy.default)
        try:
            at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
        except (TypeError, ValueError):
            at = None
        mails.append(CaughtMail(key=file.name, subject=str(message["Subject"] or _("（无主题）")),
                                to=str(message["To"] or ""), at=at or datetime.fromtimestamp(mtime, UTC),
                                text=_text(message)))
    return mails
