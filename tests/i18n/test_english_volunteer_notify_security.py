"""The volunteering pages, notification settings, mail queue, password reset and security log in English:
for a visitor whose browser asks for English and for accounts set to English, including the errors a form
or a service sends back. Exports (the security log's CSV) stay Chinese."""

import csv
import io
import sys
from datetime import timedelta
from pathlib import Path

from marketplace.db import transaction
from marketplace.modelbase import utcnow
from marketplace.notify import outbox_mail
from marketplace.security import events
from marketplace.security.throttle import Refusal
from support import login, post

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "volunteering"))
from shift_support import service_need, shift, volunteer  # noqa: E402

EN = {"Accept-Language": "en-GB,en;q=0.9"}




def _visitor_in_english(client):
    client.get("/language/en?next=/")  # the footer's switch: a cookie for the visitor


def test_a_visitor_finds_shifts_and_the_registration_form_in_english(client, world):
    need = service_need(world)
    shift(world, need, skills=["bathing"])
    _visitor_in_english(client)
    page = client.get("/shifts").get_data(as_text=True)
    assert "<h1>Volunteering</h1>" in page and "Upcoming service shifts that still have free places" in page
    assert "<strong>1</strong> shift with free places" in page and "Sign in to take part" in page
    assert "Skills needed" in page and "All places" in page
    bad = client.get("/shifts?from=2026-13-01")
    assert bad.status_code == 422 and "From must be written as year-month-day" in bad.get_data(as_text=True)
    shifts_page = client.get(f"/needs/{need.id}/shifts").get_data(as_text=True)
    assert "<h1>Service shifts</h1>" in shifts_page and "register as a volunteer</a> to take part." in shifts_page

    form = client.get("/volunteers/register").get_data(as_text=True)
    assert "<h1>Volunteer sign-up</h1>" in form and "Real name (stored encrypted, never shown)" in form
    assert "11-digit mobile number" in form and "<legend>Availability</legend>" in form
    refused = post(client, "/volunteers/register", {
        "display_name": "Ann", "real_name": "张志愿", "phone": "12345", "email": "ann@volunteer.cn",
        "password": "correct-horse-battery", "region_code": "341621"}, page="/volunteers/register")
    assert refused.status_code == 422
    assert "Please enter an 11-digit mobile number." in refused.get_data(as_text=True)


def test_a_volunteer_signs_up_and_reads_their_service_in_english(client, world):
    need = service_need(world)
    booked = shift(world, need)
    walker = volunteer(world, "walker")
    world.in_english(walker)
    login(client, "walker@volunteer.cn")
    response = post(client, f"/shifts/{booked.id}/signup", page="/shifts")
    assert response.status_code == 303
    mine = client.get("/my/shifts").get_data(as_text=True)
    assert "You are booked. The service address can be viewed from 24 hours before the shift starts." in mine
    assert "Upcoming shifts" in mine and "Check-in code" in mine and "Cancel sign-up" in mine
    assert "Add to calendar (.ics)" in mine and "No hours recorded yet." in mine
    assert "Booked" in mine or "booked" in mine.lower()
    again = post(client, f"/shifts/{booked.id}/signup", page="/shifts")
    assert again.status_code == 409
    assert "You have already signed up for this shift" in again.get_data(as_text=True)
    cert = client.get("/my/hours/certificate").get_data(as_text=True)
    assert "<h1>Volunteer hours certificate</h1>" in cert and "no verification number is issued" in cert
    assert "Shanqiao social assistance matching platform" in cert
    check = client.get("/certificates").get_data(as_text=True)
    assert "Enter the verification number printed on the certificate" in check


def test_a_coordinator_manages_shifts_in_english(client, world):
    need = service_need(world)
    shift(world, need)
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = client.get(f"/needs/{need.id}/shifts").get_data(as_text=True)
    assert "Check-in code (coordinators only; tell the volunteers on site)" in page
    assert "Add a shift" in page and "Cancel shift" in page and "No sign-ups yet." in page
    assert "2 places" in page and "Skills needed (optional)" in page
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    refused = post(client, f"/needs/{need.id}/shifts", {"date": tomorrow, "start_time": "09:00",
                                                        "end_time": "11:00", "capacity": "500"},
                   page=f"/needs/{need.id}/shifts")
    assert refused.status_code == 422 and "Places must be between 1 and 200." in refused.get_data(as_text=True)


def test_staff_read_the_security_log_in_english_and_download_it_in_chinese(client, world):
    with world.tx() as s:
        world.user(s, world.verifier).duties = "accounts"
        events.record(s, "login", outcome="failed", region_code="341621", reason="密码错误")
        events.record(s, "login.locked", outcome="locked", region_code="341621")
    world.in_english(world.verifier)
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/security-log").get_data(as_text=True)
    assert "<h1>Security log</h1>" in page and "Security events (Beijing time, newest first)" in page
    assert "Sign-in locked" in page and "Anonymous" in page and "Reason: " in page
    assert '<th scope="col">Account concerned</th>' in page and ">Event type" in page
    refused = client.get("/staff/security-log?kind=nonsense")
    assert refused.status_code == 422 and "Please choose a valid event type." in refused.get_data(as_text=True)
    response = client.get("/staff/security-log.csv?kind=login.locked")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    response.close()
    assert rows[0][:3] == ["时间", "事件", "结果"] and rows[1][1:3] == ["登录锁定", "锁定"]


def test_the_mail_queue_and_notification_settings_in_english(client, world, engine):
    with transaction(engine) as s:
        row = outbox_mail.queue(s, to="someone@example.cn", subject="Notice", text="body", html=None,
                                key="en-failed", kind="need.claimed", region="341621100")
        row.status, row.attempts = "failed", 8
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "<h1>Mail queue</h1>" in page and "Failed (1)" in page and "Retry the email to someone@example.cn" in page
    assert "Next attempt" in page and "Last error" in page

    settings = client.get("/profile/notifications").get_data(as_text=True)
    assert "Daily digest of new needs" in settings and "Remind me 24 hours before a shift starts" in settings
    assert "Save notification settings" in settings
    refused = post(client, "/profile/notifications", {"locale": "en", "categories": "casino"},
                   page="/profile/notifications")
    assert refused.status_code == 422
    assert "Need category “casino” does not exist" in refused.get_data(as_text=True)


def test_password_reset_and_unsubscribe_pages_for_an_english_visitor(client, world):
    _visitor_in_english(client)
    forgot = client.get("/password/forgot").get_data(as_text=True)
    assert "<h1>Forgot password</h1>" in forgot and "Send reset link" in forgot
    response = post(client, "/password/forgot", {"email": "nobody@example.cn"}, page="/password/forgot")
    assert response.status_code == 303
    assert "If this email address is registered" in client.get("/password/forgot").get_data(as_text=True)
    invalid = client.get("/password/reset/not-a-token")
    assert invalid.status_code == 400 and "Reset link not valid" in invalid.get_data(as_text=True)
    unsubscribe = client.get("/unsubscribe/not-a-token")
    assert unsubscribe.status_code == 400 and "Unsubscribe link not valid" in unsubscribe.get_data(as_text=True)


def test_a_throttled_attempt_is_told_when_to_retry_in_the_readers_language(app):
    later = Refusal(utcnow() + timedelta(days=2))
    with app.test_request_context("/", headers=EN):
        assert later.message.startswith("Too many attempts. Please try again after ")
        assert "月" not in later.message
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert later.message.startswith("尝试次数过多，请于 ") and "月" in later.message
