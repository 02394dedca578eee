"""Credential throttling: the 11th wrong password in a row locks the account even for the right password,
with a mail and a security-log row; unknown and existing addresses get the same answers."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from marketplace.modelbase import utcnow
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.security.models import AuthThrottle, SecurityEvent, UserSession
from support import PASSWORD, csrf_from

VOLUNTEER = "helper@volunteer.cn"


def _try(client, email, password):
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _fail(client, tx, email, times):
    """`times` wrong passwords, each after its growing delay has passed (the clock moved back in the DB)."""
    for _ in range(times):
        with tx() as s:
            s.execute(update(AuthThrottle).where(AuthThrottle.locked_until.is_(None))
                      .values(last_failure_at=utcnow() - timedelta(hours=1)))
        assert _try(client, email, "wrong-password-guess").status_code == 422


def _answer(response) -> str:
    """The page as the user sees it, without the per-request CSRF token."""
    html = re.sub(r'(name="csrf[-_]token"[^>]*value|content)="[^"]+"', "", response.get_data(as_text=True))
    return html.replace(VOLUNTEER, "EMAIL").replace("nobody@nowhere.cn", "EMAIL")


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(client, world, tx):
    _fail(client, tx, VOLUNTEER, 10)
    response = _try(client, VOLUNTEER, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 14 * 60
    assert re.search(r"尝试次数过多，请于 \d\d:\d\d 后再试", response.get_data(as_text=True))
    assert client.get("/account/sessions").status_code == 302  # not signed in
    with tx() as s:
        assert s.scalars(select(UserSession)).first() is None
        mails = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "login.locked")))
        assert len(mails) == 1 and mails[0].payload["to"] == VOLUNTEER
        body = opened(mails[0].payload)
        assert "15" in body["text"] and "/password/forgot" in body["text"]
        assert "/password/reset/" not in body["text"]  # no live token in a mail nobody asked for
        kinds = {(e.kind, e.outcome) for e in s.scalars(select(SecurityEvent))}
        assert ("login.locked", "locked") in kinds and ("login", "failed") in kinds
        assert ("throttle", "denied") in kinds
        # Keyed digests only: no address of anyone in the table.
        assert all("helper" not in row.key and "127.0.0.1" not in row.key for row in s.scalars(select(AuthThrottle)))


def test_after_five_failures_the_next_attempt_must_wait(client, world):
    for _ in range(5):
        assert _try(client, VOLUNTEER, "wrong-password-guess").status_code == 422
    response = _try(client, VOLUNTEER, PASSWORD)
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_a_success_resets_the_account_counter(client, world, tx):
    _fail(client, tx, VOLUNTEER, 4)
    assert _try(client, VOLUNTEER, PASSWORD).status_code == 303
    with tx() as s:
        assert s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "login", SecurityEvent.outcome == "ok")).first()
    client.post("/logout")
    other = client.application.test_client()
    _fail(other, tx, VOLUNTEER, 4)  # four more would have made nine: still not locked
    assert _try(other, VOLUNTEER, PASSWORD).status_code == 303


def test_unknown_and_existing_addresses_get_identical_answers(app, world, tx):
    existing, unknown = app.test_client(), app.test_client()
    assert _answer(_try(existing, VOLUNTEER, "wrong-password-guess")) == \
        _answer(_try(unknown, "nobody@nowhere.cn", "wrong-password-guess"))
    _fail(existing, tx, VOLUNTEER, 9)  # ten in all
    _fail(unknown, tx, "nobody@nowhere.cn", 9)
    locked_existing = _try(existing, VOLUNTEER, PASSWORD)
    locked_unknown = _try(unknown, "nobody@nowhere.cn", PASSWORD)
    assert locked_existing.status_code == locked_unknown.status_code == 429
    # Each lock ends 15 minutes after its own tenth failure: the two may straddle a minute, so the time
    # shown is compared as a shape; everything else must be the same.
    assert re.sub(r"\d\d:\d\d", "HH:MM", _answer(locked_existing)) == \
        re.sub(r"\d\d:\d\d", "HH:MM", _answer(locked_unknown))
    with tx() as s:  # only the real account gets a mail
        assert s.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "login.locked")) is not None
        assert len(list(s.scalars(select(OutboxMessage)))) == 1


def test_deactivated_account_answers_like_a_wrong_password(client, world, tx):
    from marketplace.auth.models import AppUser

    with tx() as s:
        s.get(AppUser, world.volunteer).is_active = False
    assert _answer(_try(client, VOLUNTEER, PASSWORD)) == _answer(_try(client, "nobody@nowhere.cn", PASSWORD))


def test_many_accounts_from_one_address_lock_the_address(app, world, tx):
    app.config["LOGIN_ADDRESS_LOCK_AFTER"] = 6
    client = app.test_client()
    for n in range(6):
        assert _try(client, f"guess{n}@nowhere.cn", "wrong-password-guess").status_code == 422
    assert _try(client, VOLUNTEER, PASSWORD).status_code == 429


def test_password_reset_requests_are_limited_per_account(client, world):
    statuses = []
    for _ in range(6):
        token = csrf_from(client.get("/password/forgot"))
        statuses.append(client.post("/password/forgot", data={"email": VOLUNTEER, "csrf_token": token}).status_code)
    assert statuses == [303] * 5 + [429]


def test_registration_is_limited_per_address(app, client, world):
    app.config["LOGIN_REGISTER_PER_ADDRESS"] = 2
    statuses = []
    for _ in range(3):
        token = csrf_from(client.get("/volunteers/register"))
        statuses.append(client.post("/volunteers/register", data={"csrf_token": token}).status_code)
    assert statuses == [422, 422, 429]


def test_guessing_invitation_links_is_limited_per_address(app, client, world):
    app.config["LOGIN_INVITATION_FAILURES_PER_ADDRESS"] = 3
    statuses = [client.get(f"/invitations/guess-{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_the_api_is_limited_per_address(app, client, world, tx):
    app.config["LOGIN_API_PER_MINUTE"] = 3
    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    with tx() as s:
        assert len(list(s.scalars(select(AuthThrottle)))) == 1


def test_the_api_limit_is_exact_in_one_process_though_written_in_batches(app, client, world, tx):
    app.config["LOGIN_API_PER_MINUTE"] = 40
    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(42)]
    assert statuses == [200] * 40 + [429, 429]
    with tx() as s:
        assert [row.failures for row in s.scalars(select(AuthThrottle))] == [42]
        refusals = [e for e in s.scalars(select(SecurityEvent)) if e.kind == "throttle"]
        assert len(refusals) == 1 and refusals[0].detail == {"action": "api", "scope": "address"}
