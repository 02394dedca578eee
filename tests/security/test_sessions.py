"""Server-side sessions: a cookie copied before logout, a password change or a reset is dead afterwards;
idle staff sessions end; 登录设备 lists and ends sessions; the cookie's attributes depend on the origin."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from marketplace.auth.models import AppUser
from marketplace.modelbase import utcnow
from marketplace.notify import tokens
from marketplace.security.models import SecurityEvent, UserSession
from support import PASSWORD, csrf_from, login, post

STAFF = "poster@guoyang.gov.cn"
VOLUNTEER = "helper@volunteer.cn"
NEW_PASSWORD = "a-brand-new-sentence-2026"


def _copy(client, app):
    """A second browser holding a copy of `client`'s session cookie (what a thief would replay)."""
    value = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _signed_in(client) -> bool:
    response = client.get("/account/sessions")
    return response.status_code == 200


def _sent_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_cookie_holds_a_token_not_the_user_id(client, app, world, tx):
    login(client, VOLUNTEER)
    with app.test_request_context():
        data = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert data["_user_id"] != str(world.volunteer) and len(data["_user_id"]) >= 40
    with tx() as s:
        row = s.scalars(select(UserSession)).one()
        assert row.user_id == world.volunteer and data["_user_id"] not in row.token_hash


def test_a_cookie_copied_before_logout_gets_the_login_page_after_it(client, app, world):
    login(client, VOLUNTEER)
    thief = _copy(client, app)
    assert _signed_in(thief)
    post(client, "/logout", page="/account/sessions")
    assert _sent_to_login(thief.get("/account/sessions"))
    assert _sent_to_login(thief.get("/account/password"))


def test_logout_is_in_the_security_log(client, app, world, tx):
    login(client, VOLUNTEER)
    post(client, "/logout", page="/account/sessions")
    with tx() as s:
        kinds = [e.kind for e in s.scalars(select(SecurityEvent).where(SecurityEvent.subject_user_id == world.volunteer))]
        ended = s.scalars(select(UserSession)).one()
    assert "logout" in kinds and ended.ended_at is not None and ended.end_reason == "logout"


def test_a_password_change_ends_other_sessions_and_keeps_this_browser(client, app, world, tx):
    login(client, VOLUNTEER)
    thief = _copy(client, app)
    other = app.test_client()
    login(other, VOLUNTEER)
    response = post(client, "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}, page="/account/password")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _sent_to_login(thief.get("/account/sessions"))
    assert _sent_to_login(other.get("/account/sessions"))
    assert _signed_in(client)
    with tx() as s:
        assert s.get(AppUser, world.volunteer).password_changed_at is not None
        assert s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "password.change")).first()
    login(app.test_client(), VOLUNTEER, NEW_PASSWORD)


def test_change_password_requires_the_current_password(client, world):
    login(client, VOLUNTEER)
    response = post(client, "/account/password", {"current": "not-my-password-at-all", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}, page="/account/password")
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    login(client, VOLUNTEER)  # the old password still works


def test_change_password_refuses_a_password_breaking_the_policy(client, world):
    login(client, VOLUNTEER)
    response = post(client, "/account/password", {"current": PASSWORD, "password": "helper-2026-xyz",
                                                  "confirm": "helper-2026-xyz"}, page="/account/password")
    assert response.status_code == 422
    assert "邮箱用户名" in response.get_data(as_text=True)


def test_a_cookie_copied_before_a_password_reset_gets_the_login_page_after_it(client, app, world, tx):
    login(client, VOLUNTEER)
    thief = _copy(client, app)
    with tx() as s:
        token = tokens.reset_token(s.get(AppUser, world.volunteer))
    stranger = app.test_client()
    page = f"/password/reset/{token}"
    response = post(stranger, page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _sent_to_login(thief.get("/account/sessions"))
    assert _sent_to_login(client.get("/account/sessions"))


def test_an_idle_staff_session_is_sent_to_login(client, world, tx):
    login(client, STAFF)
    assert _signed_in(client)
    with tx() as s:
        s.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert _sent_to_login(client.get("/account/sessions"))
    with tx() as s:
        assert s.scalars(select(UserSession)).one().end_reason == "idle"


def test_a_volunteer_idle_for_an_hour_stays_signed_in(client, world, tx):
    login(client, VOLUNTEER)
    with tx() as s:
        s.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    assert _signed_in(client)
    with tx() as s:  # touched again: at most once a minute
        assert utcnow() - s.scalars(select(UserSession)).one().last_seen_at < timedelta(minutes=1)


def test_a_session_past_its_absolute_lifetime_ends(client, world, tx):
    login(client, VOLUNTEER)
    with tx() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert _sent_to_login(client.get("/account/sessions"))


def test_deactivating_an_account_ends_its_sessions(client, world, tx):
    login(client, VOLUNTEER)
    with tx() as s:
        s.get(AppUser, world.volunteer).is_active = False
    assert _sent_to_login(client.get("/account/sessions"))


def test_devices_page_lists_and_ends_another_session(client, app, world, tx):
    other = app.test_client()
    login(other, VOLUNTEER)
    login(client, VOLUNTEER)
    page = client.get("/account/sessions", headers={"User-Agent": "Mozilla/5.0"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "本设备" in html
    ids = [int(i) for i in re.findall(r"/account/sessions/(\d+)/end", html)]
    assert len(ids) == 2
    with tx() as s:
        theirs = s.scalars(select(UserSession).where(UserSession.id.in_(ids)).order_by(UserSession.id)).first().id
    response = post(client, f"/account/sessions/{theirs}/end", page="/account/sessions")
    assert response.status_code == 303
    assert _sent_to_login(other.get("/account/sessions"))
    assert _signed_in(client)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert len(re.findall(r"/account/sessions/(\d+)/end", html)) == 1
    with tx() as s:
        event = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "session.end")).one()
        assert event.detail["session_id"] == theirs


def test_one_cannot_end_someone_elses_session(client, app, world, tx):
    other = app.test_client()
    login(other, STAFF)
    with tx() as s:
        staff_session = s.scalars(select(UserSession)).one().id
    login(client, VOLUNTEER)
    response = post(client, f"/account/sessions/{staff_session}/end", page="/account/sessions")
    assert response.status_code == 404
    assert _signed_in(other)


def test_the_cookie_on_https_is_host_prefixed_and_secure(app, world):
    client = app.test_client()
    base = "https://shanqiao.example"
    token = csrf_from(client.get(f"{base}/login"))
    # Flask-WTF checks the Referer on HTTPS, as a browser sends it.
    response = client.post(f"{base}/login", data={"email": VOLUNTEER, "password": PASSWORD, "csrf_token": token},
                           headers={"Referer": f"{base}/login"})
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Domain" not in session_cookie and "Path=/" in session_cookie
    assert not any(c.startswith("session=") for c in cookies)
    assert client.get(f"{base}/account/sessions").status_code == 200


def test_plain_http_on_a_public_name_still_gets_the_secure_cookie(app, world):
    client = app.test_client()
    response = client.get("http://shanqiao.example/login")
    assert any(c.startswith("__Host-session=") and "Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_the_demo_on_loopback_http_works_without_secure(app, world):
    client = app.test_client()
    base = "http://127.0.0.1:5000"
    token = csrf_from(client.get(f"{base}/login"))
    response = client.post(f"{base}/login", data={"email": VOLUNTEER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" not in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert client.get(f"{base}/account/sessions").status_code == 200


def test_secure_cookies_can_be_forced_on_loopback(app, world):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().get("http://127.0.0.1:5000/login")
    assert any(c.startswith("__Host-session=") and "Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_no_remember_me_cookie_is_ever_set(client, world):
    response = login(client, VOLUNTEER)
    assert not any(c.startswith("remember_token") for c in response.headers.getlist("Set-Cookie"))
