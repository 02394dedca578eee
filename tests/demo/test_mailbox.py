"""演示邮箱: `marketplace demo` runs a local SMTP sink (its own process) and, in demo mode only, lists the
mail the sink caught with clickable links, so a password reset can be completed inside the demo."""

import os
import re

import pytest

from marketplace.demo.commands import start_demo_mail
from support import SMTP_ALLOWED, post, run_worker_once

_ENV = ("MARKETPLACE_DEMO", "MARKETPLACE_DEMO_MAILBOX", "MARKETPLACE_MAIL_SERVER", "MARKETPLACE_MAIL_PORT",
        "MARKETPLACE_MAIL_USE_TLS", "MARKETPLACE_MAIL_USE_SSL", "MARKETPLACE_MAIL_USERNAME",
        "MARKETPLACE_MAIL_PASSWORD", "MARKETPLACE_MAIL_SUPPRESS")


@pytest.fixture
def demo_mail(app, tmp_path, monkeypatch):
    """The sink as `marketplace demo` starts it, and the app configured as the demo's processes are."""
    for name in _ENV:  # start_demo_mail sets these for the demo's processes; put them back afterwards
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("MARKETPLACE_DEMO_MAILBOX", str(tmp_path / "mailbox"))
    sink = start_demo_mail(str(tmp_path))
    try:
        port = int(os.environ["MARKETPLACE_MAIL_PORT"])
        assert os.environ["MARKETPLACE_DEMO"] == "1" and os.environ["MARKETPLACE_MAIL_SERVER"] == "127.0.0.1"
        SMTP_ALLOWED.add(("127.0.0.1", port))
        app.config.update(DEMO_MODE=True, DEMO_MAILBOX=str(tmp_path / "mailbox"))
        state = app.extensions["mail"]
        state.server, state.port, state.suppress = "127.0.0.1", port, False
        yield sink
    finally:
        sink.terminate()
        sink.wait(10)


def test_outside_demo_mode_the_mailbox_does_not_exist(world, client):
    assert client.get("/demo/mailbox").status_code == 404


def test_a_password_reset_is_completed_from_the_demo_mailbox(world, client, app, demo_mail):
    empty = client.get("/demo/mailbox")
    assert empty.status_code == 200 and "还没有收到邮件" in empty.get_data(as_text=True)
    response = post(client, "/password/forgot", {"email": "helper@volunteer.cn"}, page="/password/forgot")
    assert response.status_code in (200, 303)
    run_worker_once(app)
    page = client.get("/demo/mailbox").get_data(as_text=True)
    assert "重设密码" in page and "helper@volunteer.cn" in page
    link = re.search(r'<a href="(https?://[^"]+/password/reset/[^"]+)">', page)
    assert link, page
    path = "/password/reset/" + link.group(1).split("/password/reset/", 1)[1]
    form = client.get(path)
    assert form.status_code == 200 and "新密码" in form.get_data(as_text=True)
    new = "a-brand-new-demo-password-2026"
    done = post(client, path, {"password": new, "confirm": new}, page=path)
    assert done.status_code == 303, done.get_data(as_text=True)
    client.get("/logout")
    signed_in = post(client, "/login", {"email": "helper@volunteer.cn", "password": new}, page="/login")
    assert signed_in.status_code == 303
