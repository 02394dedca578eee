"""忘记密码 end to end: the same answer for any address, a link that works once and for one hour."""

import re
import time

from sqlalchemy import select

from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from support import csrf_from, login


def _ask(client, email):
    token = csrf_from(client.get("/password/forgot"))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, follow_redirects=True)


def _reset_mails(tx):
    with tx() as s:
        return [opened(row.payload) for row in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password.reset"))]


def _link(payload) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", payload["text"]).group(1)


def _choose(client, path, password="a-brand-new-password"):
    token = csrf_from(client.get(path))
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_a_known_and_an_unknown_address_get_the_same_answer(client, world, tx):
    known, unknown = _ask(client, "helper@volunteer.cn"), _ask(client, "nobody@nowhere.cn")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf-token" content="[^"]+"|name="csrf_token" type="hidden" value="[^"]+"')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))
    assert "如果该邮箱已注册" in known.get_data(as_text=True)
    [mail] = _reset_mails(tx)
    assert mail["to"] == "helper@volunteer.cn" and "重设密码" in mail["subject"]


def test_asking_again_at_once_queues_one_mail(client, world, tx):
    _ask(client, "helper@volunteer.cn")
    _ask(client, "HELPER@volunteer.cn ")
    assert len(_reset_mails(tx)) == 1


def test_the_link_sets_a_new_password_once(app, client, world, tx):
    _ask(client, "helper@volunteer.cn")
    path = _link(_reset_mails(tx)[0])
    assert client.get(path).status_code == 200
    done = _choose(client, path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    login(client, "helper@volunteer.cn", "a-brand-new-password")
    other = app.test_client()
    assert other.get(path).status_code == 400  # the password changed: the token is spent
    assert _choose_refused(other, path)


def _choose_refused(client, path) -> bool:
    token = csrf_from(client.get("/password/forgot"))
    response = client.post(path, data={"password": "another-long-password", "confirm": "another-long-password",
                                       "csrf_token": token})
    return response.status_code == 400 and "重设链接无效" in response.get_data(as_text=True)


def test_short_or_mismatched_passwords_are_refused(client, world, tx):
    _ask(client, "helper@volunteer.cn")
    path = _link(_reset_mails(tx)[0])
    assert _choose(client, path, "short").status_code == 422
    token = csrf_from(client.get(path))
    mismatch = client.post(path, data={"password": "long-enough-pass", "confirm": "long-enough-pasS",
                                       "csrf_token": token})
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.get_data(as_text=True)


def test_an_expired_or_tampered_link_is_refused(app, client, world, tx, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 2 * 3600)  # a link mailed two hours ago
    _ask(client, "helper@volunteer.cn")
    monkeypatch.setattr(time, "time", real_time)
    path = _link(_reset_mails(tx)[0])
    response = client.get(path)
    assert response.status_code == 400 and "已过期" in response.get_data(as_text=True)
    assert client.get(path[:-3] + "abc").status_code == 400
