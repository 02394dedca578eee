"""`marketplace mail-sink`: the demo's local SMTP server, and how `marketplace demo` starts it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import click


@click.command("mail-sink")
@click.option("--port", type=click.IntRange(1, 65535), default=8025, show_default=True)
@click.option("--maildir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="where caught mail is kept (the 演示邮箱 page reads it)")
def mail_sink(port: int, maildir: Path) -> None:
    """Accept every mail on 127.0.0.1 and keep it in a Maildir instead of delivering it (demo only)."""
    from .mailbox import serve

    click.echo(f"demo mail sink on 127.0.0.1:{port}, keeping mail in {maildir}")
    serve(maildir, port=port)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo_mail(instance_path: str) -> subprocess.Popen:
    """Point every process of the demo (server workers, the worker) at a fresh local sink and switch the
    演示邮箱 page on. Set in the environment, before the app is built, so the processes that build their
    own app read it; a demo's made-up addresses must never reach a real mail server, so an SMTP server
    configured in the environment is overridden."""
    port = _free_port()
    maildir = os.environ.get("MARKETPLACE_DEMO_MAILBOX") or str(Path(instance_path) / "demo-mailbox")
    os.environ.update({"MARKETPLACE_DEMO": "1", "MARKETPLACE_DEMO_MAILBOX": maildir, "MARKETPLACE_MAIL_SERVER": "127.0.0.1",
                       "MARKETPLACE_MAIL_PORT": str(port), "MARKETPLACE_MAIL_USE_TLS": "",
                       "MARKETPLACE_MAIL_USE_SSL": "", "MARKETPLACE_MAIL_USERNAME": "",
                       "MARKETPLACE_MAIL_PASSWORD": "", "MARKETPLACE_MAIL_SUPPRESS": ""})
    sink = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "mail-sink", "--port", str(port),
                             "--maildir", maildir])
    # The worker's first round must find the sink listening: a refused connection defers the queue by minutes.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and sink.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return sink
