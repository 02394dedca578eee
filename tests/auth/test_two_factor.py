"""Two-factor sign-in: enrolment with a real authenticator code, the login's second step (TOTP or a
single-use recovery code), replay and guessing refused, and staff kept on enrolment when it is required."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from marketplace.auth import totp
from marketplace.auth.models import AppUser, RecoveryCode
from marketplace.security.models import SecurityEvent
from support import PASSWORD, csrf_from, login, post

STAFF = "poster@guoyang.gov.cn"


def secret_in_db(world, user_id) -> str:
    """The TOTP secret as the database holds it, read back through the vault (never stored in clear)."""
    with world.tx() as s:
        blob = s.get(AppUser, user_id).totp_secret_enc
    assert blob
    return world.vault.decrypt(blob)


def enrol(app, world, user_id) -> tuple[str, list[str]]:
    """Arrange an enrolled account through the service; returns its secret and recovery codes."""
    with app.test_request_context(), world.tx() as s:
        user = s.get(AppUser, user_id)
        secret = totp.pending_secret(s, user)
        # The previous time step's code: the test's login then uses the current one, not a replay.
        codes = totp.confirm(s, user, pyotp.TOTP(secret).at(time.time() - 30))
        assert codes is not None
        return secret, codes


def password_step(client, email=STAFF):
    """The first step of the login: a correct password. Returns the response (a 303)."""
    return login(client, email)


def second_step(client, code):
    token = csrf_from(client.get("/login/2fa"))
    return client.post("/login/2fa", data={"code": code, "csrf_token": token})


def signed_in(client) -> bool:
    response = client.get("/account/sessions")
    return response.status_code == 200


def events(world, kind):
    with world.tx() as s:
        return [(e.outcome, e.subject_user_id) for e in s.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id))]


def test_enrolment_with_a_code_from_the_secret_shows_ten_recovery_codes_once(client, world):
    login(client, STAFF)
    page = client.get("/account/2fa")
    body = page.get_data(as_text=True)
    # The QR code is drawn inline on the server: no image from elsewhere, no script.
    assert page.status_code == 200 and "<svg" in body and "<img" not in body and 'src="http' not in body
    secret = secret_in_db(world, world.poster)
    assert totp.grouped(secret) in body
    # Reloading keeps the QR code already scanned.
    client.get("/account/2fa")
    assert secret_in_db(world, world.poster) == secret
    with world.tx() as s:
        assert secret.encode() not in s.get(AppUser, world.poster).totp_secret_enc

    wrong = post(client, "/account/2fa", {"code": "000000"}, page="/account/2fa")
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    response = post(client, "/account/2fa", {"code": pyotp.TOTP(secret).now()}, page="/account/2fa")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "双因素认证已启用" in body
    codes = re.findall(r"<code>([2-9a-z]{5}-[2-9a-z]{5})</code>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    with world.tx() as s:
        user = s.get(AppUser, world.poster)
        assert user.totp_enabled_at is not None
        hashes = s.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not any(code.replace("-", "") in h for code in codes for h in hashes)
    # Shown once: the page afterwards tells how many are left, not the codes.
    after = client.get("/account/2fa").get_data(as_text=True)
    assert "10" in after and not any(code in after for code in codes)
    assert events(world, "2fa.enrol") == [("failed", world.poster), ("ok", world.poster)]


def test_login_with_two_factor_needs_the_code(app, client, world):
    secret, _codes = enrol(app, world, world.poster)
    response = password_step(client)
    assert response.headers["Location"].endswith("/login/2fa")
    # A correct password alone signs nobody in.
    assert not signed_in(client)
    assert client.get("/staff/households").status_code in (302, 303)
    response = second_step(client, pyotp.TOTP(secret).now())
    assert response.status_code == 303 and signed_in(client)
    assert client.get("/staff/households").status_code == 200
    assert ("ok", world.poster) in events(world, "2fa.verify")


def test_a_wrong_code_fails_and_is_logged(app, client, world):
    enrol(app, world, world.poster)
    password_step(client)
    response = second_step(client, "123456")
    assert response.status_code == 422 and "验证码不正确" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert events(world, "2fa.verify")[-1] == ("failed", world.poster)


def test_a_code_is_accepted_once_only(app, client, world):
    secret, _codes = enrol(app, world, world.poster)
    code = pyotp.TOTP(secret).now()
    password_step(client)
    assert second_step(client, code).status_code == 303
    # The same code, seen over a shoulder or phished, in another browser a moment later.
    other = app.test_client()
    password_step(other)
    response = second_step(other, code)
    assert response.status_code == 422 and not signed_in(other)


def test_a_recovery_code_works_once_only(app, client, world):
    _secret, codes = enrol(app, world, world.poster)
    password_step(client)
    response = second_step(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 303 and signed_in(client)
    assert events(world, "2fa.recovery_code") == [("ok", world.poster)]
    other = app.test_client()
    password_step(other)
    assert second_step(other, codes[3]).status_code == 422 and not signed_in(other)
    with world.tx() as s:
        used = s.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1


def test_five_wrong_codes_end_the_half_login(app, client, world):
    secret, _codes = enrol(app, world, world.poster)
    password_step(client)
    for _ in range(4):
        assert second_step(client, "000000").status_code == 422
    response = second_step(client, "000000")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    # The right code now is too late: back to the password.
    token = csrf_from(client.get("/login"))
    late = client.post("/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert late.status_code == 303 and late.headers["Location"].endswith("/login") and not signed_in(client)


def test_replaying_the_half_login_cookie_does_not_reset_the_guess_count(app, client, world):
    """The counter in the signed cookie can be replayed at zero; the database keeps the real count."""
    secret, _codes = enrol(app, world, world.poster)
    password_step(client)
    fresh = client.get_cookie("session").value
    for _ in range(10):
        client.set_cookie("session", fresh)
        second_step(client, "000000")
    client.set_cookie("session", fresh)
    response = second_step(client, pyotp.TOTP(secret).now())
    assert response.status_code == 429 and not signed_in(client)


def test_the_half_login_expires_after_five_minutes(app, client, world):
    secret, _codes = enrol(app, world, world.poster)
    password_step(client)
    with client.session_transaction() as cookie:
        cookie["2fa_pending"] = {**cookie["2fa_pending"], "at": cookie["2fa_pending"]["at"] - 301}
    token = csrf_from(client.get("/login"))
    response = client.post("/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert not signed_in(client)


def test_required_mode_keeps_staff_without_two_factor_on_enrolment(app, client, world):
    app.config["STAFF_2FA"] = "required"
    response = password_step(client)
    assert response.headers["Location"].endswith("/account/2fa")
    for path in ("/staff/households", "/staff/reports", "/account/sessions", "/"):
        blocked = client.get(path)
        assert blocked.status_code == 303 and blocked.headers["Location"].endswith("/account/2fa"), path
    assert client.get("/staff/households", headers={"HX-Request": "true"}).headers["HX-Redirect"].endswith("/account/2fa")
    assert client.get("/account/2fa").status_code == 200
    secret = secret_in_db(world, world.poster)
    assert post(client, "/account/2fa", {"code": pyotp.TOTP(secret).now()}, page="/account/2fa").status_code == 200
    assert client.get("/staff/households").status_code == 200
    # Staff may not turn it off while it is required.
    off = post(client, "/account/2fa/disable", {"password": PASSWORD, "code": "000000"}, page="/account/2fa")
    assert off.status_code == 403


def test_required_mode_leaves_other_roles_alone(app, client, world):
    app.config["STAFF_2FA"] = "required"
    response = password_step(client, "member@charity.org.cn")
    assert not response.headers["Location"].endswith("/account/2fa")
    assert client.get("/my/claims").status_code == 200


@pytest.mark.parametrize("with_password", [False, True])
def test_disabling_needs_the_password_and_a_code(app, client, world, with_password):
    secret, _codes = enrol(app, world, world.charity)
    password_step(client, "member@charity.org.cn")
    assert second_step(client, pyotp.TOTP(secret).now()).status_code == 303
    password = PASSWORD if with_password else "not-the-password"
    # A fresh code (the last one was spent at login), from the next time step.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = post(client, "/account/2fa/disable", {"password": password, "code": code}, page="/account/2fa")
    with world.tx() as s:
        enabled = s.get(AppUser, world.charity).totp_enabled_at is not None
    if with_password:
        assert response.status_code == 303 and not enabled
        assert events(world, "2fa.disable") == [("ok", world.charity)]
    else:
        assert response.status_code == 422 and enabled
        assert events(world, "2fa.disable") == [("failed", world.charity)]


def test_regenerating_recovery_codes_voids_the_old_ones(app, client, world):
    secret, old = enrol(app, world, world.poster)
    password_step(client)
    assert second_step(client, pyotp.TOTP(secret).now()).status_code == 303
    refused = post(client, "/account/2fa/recovery-codes", {"code": "000000"}, page="/account/2fa")
    assert refused.status_code == 422
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = post(client, "/account/2fa/recovery-codes", {"code": code}, page="/account/2fa")
    new = re.findall(r"<code>([2-9a-z]{5}-[2-9a-z]{5})</code>", response.get_data(as_text=True))
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other)
    assert second_step(other, old[0]).status_code == 422
    assert second_step(other, new[0]).status_code == 303
