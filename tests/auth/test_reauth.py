"""Recent re-authentication: a session that last proved its user more than 10 minutes ago is sent to
/account/reauth before a download or a contact reveal, and comes back to where it was after the password
(and the TOTP code, when enrolled)."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
from sqlalchemy import select, update

from marketplace.auth import totp
from marketplace.auth.models import AppUser
from marketplace.modelbase import utcnow
from marketplace.security.models import SecurityEvent, UserSession
from support import PASSWORD, csrf_from, login, post

STAFF = "poster@guoyang.gov.cn"
DOWNLOAD = "/staff/reports/blind-spots.csv?months=6"


def age_reauth(world, user_id, minutes=11):
    """Move the sessions' last proof of identity back, as if `minutes` had passed."""
    with world.tx() as s:
        s.execute(update(UserSession).where(UserSession.user_id == user_id)
                  .values(reauth_at=utcnow() - timedelta(minutes=minutes)))


def reauth(client, location, password=PASSWORD, code=None):
    token = csrf_from(client.get(location))
    data = {"password": password, "csrf_token": token}
    if code is not None:
        data["code"] = code
    return client.post(location, data=data)


def next_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["next"][0]


def reauth_events(world):
    with world.tx() as s:
        return [e.outcome for e in s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "reauth"))]


def test_a_fresh_login_downloads_at_once(client, world):
    login(client, STAFF)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    response.close()


def test_a_stale_session_proves_itself_again_before_a_download(client, world):
    login(client, STAFF)
    age_reauth(world, world.poster, minutes=11)
    response = client.get(DOWNLOAD)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).path == "/account/reauth" and next_of(location) == DOWNLOAD
    assert "重新验证身份" in client.get(location).get_data(as_text=True)

    wrong = reauth(client, location, password="not-the-password")
    assert wrong.status_code == 422 and "密码不正确" in wrong.get_data(as_text=True)
    assert client.get(DOWNLOAD).status_code == 303

    done = reauth(client, location)
    assert done.status_code == 303 and done.headers["Location"] == DOWNLOAD
    response = client.get(DOWNLOAD)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    response.close()
    assert reauth_events(world) == ["failed", "ok"]


def test_nine_minutes_is_still_recent(client, world):
    login(client, STAFF)
    age_reauth(world, world.poster, minutes=9)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    response.close()


def test_an_enrolled_user_also_gives_a_code(app, client, world):
    with app.test_request_context(), world.tx() as s:
        user = s.get(AppUser, world.poster)
        secret = totp.pending_secret(s, user)
        totp.confirm(s, user, pyotp.TOTP(secret).at(time.time() - 30))
    login(client, STAFF)
    token = csrf_from(client.get("/login/2fa"))
    assert client.post("/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}).status_code == 303
    age_reauth(world, world.poster)
    location = client.get(DOWNLOAD).headers["Location"]
    assert reauth(client, location).status_code == 422  # the password alone is not enough
    assert reauth(client, location, code=pyotp.TOTP(secret).at(time.time() + 30)).status_code == 303
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    response.close()


def test_next_goes_to_this_site_only(client, world):
    login(client, STAFF)
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example/x", "javascript:alert(1)"):
        response = reauth(client, f"/account/reauth?next={target}")
        assert response.status_code == 303
        assert response.headers["Location"] == "/", target


def test_a_stale_contact_reveal_returns_to_the_need_page_with_a_message(client, world):
    need = world.need("open", household=world.household(name="王桂英", phone="13905581234", address="张庄村32号"))
    login(client, STAFF)
    age_reauth(world, world.poster)
    page = f"/needs/{need.id}"
    token = csrf_from(client.get(page))
    response = client.post(f"{page}/contact", data={"csrf_token": token}, headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 303 and next_of(response.headers["Location"]) == page
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "再次提交" in shown and "13905581234" not in shown
    # htmx asks for the whole page to move, not for the re-auth form inside the contact panel.
    hx = client.post(f"{page}/contact", data={"csrf_token": token},
                     headers={"HX-Request": "true", "Referer": f"http://localhost{page}"})
    assert hx.status_code == 204 and next_of(hx.headers["HX-Redirect"]) == page
    # A Referer from elsewhere is not followed.
    foreign = client.post(f"{page}/contact", data={"csrf_token": token},
                          headers={"Referer": "https://evil.example/phish"})
    assert next_of(foreign.headers["Location"]) == f"{page}/contact"
    assert reauth(client, response.headers["Location"]).headers["Location"] == page
    revealed = post(client, f"{page}/contact", page=page)
    assert revealed.status_code == 200 and "13905581234" in revealed.get_data(as_text=True)


def test_login_next_goes_to_this_site_only(client, world):
    """The login form's `next` is judged by the same rule as the second step's and re-authentication's."""
    for target in ("/\\evil.example", "//evil.example", "https://evil.example/"):
        token = csrf_from(client.get("/login"))
        response = client.post(f"/login?next={target}", data={"email": "poster@guoyang.gov.cn",
                                                               "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303
        assert "evil" not in response.headers["Location"], target
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/needs/0"))})
        client.delete_cookie("session")
