"""Behind nginx (MARKETPLACE_PROXY_FIX=1) the client's own address and scheme come from the proxy's
X-Forwarded-* headers; without it those headers are ignored, so a client cannot choose its address."""

import pytest
from sqlalchemy import select

from marketplace import create_app
from marketplace.security.models import SecurityEvent, UserSession
from support import PASSWORD, csrf_from

VOLUNTEER = "helper@volunteer.cn"
CLIENT = "203.0.113.7"


@pytest.fixture
def proxied_app(database_url, instance_path, engine, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
                      "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "MAIL_SUPPRESS_SEND": True,
                      "STAFF_2FA": "optional", "PUBLIC_PAGE_CACHE_SECONDS": 0, "PROXY_FIX": 1})
    yield app
    app.extensions["marketplace.engine"].dispose()


def _login_through_nginx(client, base: str, forwarded: dict):
    """What nginx sends on: the request comes from 127.0.0.1 over plain HTTP, with the client's address
    and scheme in headers (the Host header is the public name, `proxy_set_header Host $host`)."""
    token = csrf_from(client.get(f"{base}/login", headers=forwarded))
    return client.post(f"{base}/login", data={"email": VOLUNTEER, "password": PASSWORD, "csrf_token": token},
                       headers={**forwarded, "Referer": f"https://{base.split('://', 1)[1]}/login"})


def test_behind_the_proxy_the_session_and_log_record_the_clients_address(proxied_app, world, tx):
    response = _login_through_nginx(proxied_app.test_client(), "http://shanqiao.example",
                                    {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"})
    assert response.status_code == 303
    with tx() as s:
        assert s.scalars(select(UserSession.ip)).one() == CLIENT
        login = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "login")).one()
        assert login.ip == CLIENT


def test_https_at_the_proxy_gives_the_secure_cookie_even_on_a_loopback_name(proxied_app, world):
    # An administrator reaching nginx through an SSH tunnel: https://127.0.0.1, proxied over plain HTTP.
    response = _login_through_nginx(proxied_app.test_client(), "http://127.0.0.1",
                                    {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"})
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("__Host-session=") and "Secure" in c for c in cookies), cookies


def test_without_the_setting_a_forwarded_address_is_ignored(client, world, tx):
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"email": VOLUNTEER, "password": PASSWORD, "csrf_token": token},
                           headers={"X-Forwarded-For": CLIENT})
    assert response.status_code == 303
    with tx() as s:
        assert s.scalars(select(UserSession.ip)).one() == "127.0.0.1"
