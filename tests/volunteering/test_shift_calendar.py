"""A sign-up's calendar file: a valid iCalendar event at the shift's time, the need's public title and
place, nothing about the household, and only for the volunteer who signed up."""

from datetime import UTC, datetime, timedelta

from shift_support import ADDRESS, service_need, shift, volunteer
from sqlalchemy import select

from marketplace.volunteering import calendar, shifts
from marketplace.volunteering.models import ShiftSignup
from support import login, post


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_a_volunteer_downloads_the_event_of_their_sign_up(world, client):
    need = service_need(world)
    the_shift = shift(world, need, starts_in=timedelta(days=3), hours=2)
    volunteer(world, "walker")
    volunteer(world, "other")
    login(client, "walker@volunteer.cn")
    post(client, f"/shifts/{the_shift.id}/signup", page="/shifts")
    with world.tx() as s:
        signup = s.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == the_shift.id)).one()
    assert f"/my/shifts/{signup.id}.ics" in client.get("/my/shifts").get_data(as_text=True)

    response = client.get(f"/my/shifts/{signup.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert f"shift-{signup.id}.ics" in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert raw.startswith("BEGIN:VCALENDAR\r\n") and raw.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = unfold(raw)
    fields = dict(line.split(":", 1) for line in lines if line)
    start = shifts.starts_at(the_shift)
    assert fields["UID"] == f"shift-signup-{signup.id}@localhost"
    assert fields["DTSTART"] == start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert fields["DTEND"] == (start + timedelta(hours=2)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert fields["SUMMARY"] == "独居老人上门助浴" and fields["LOCATION"] == "涡阳县"
    assert fields["STATUS"] == "CONFIRMED"
    assert "楚店镇" not in raw and ADDRESS not in raw and "13800000000" not in raw and "张志愿" not in raw
    assert [x for x in lines if x.endswith("VEVENT")] == ["BEGIN:VEVENT", "END:VEVENT"]

    post(client, "/logout")
    login(client, "other@volunteer.cn")
    assert client.get(f"/my/shifts/{signup.id}.ics").status_code == 403
    post(client, "/logout")
    assert client.get(f"/my/shifts/{signup.id}.ics").status_code in (302, 303)  # to the login page


def test_long_text_is_escaped_and_folded_without_splitting_characters():
    title = "独居老人上门助浴，每周一次; 需要耐心\\细致\n" * 4
    assert calendar.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = calendar.fold("SUMMARY:" + calendar.escape(title))
    rows = folded.split("\r\n")
    assert len(rows) > 2 and all(len(row.encode()) <= 75 for row in rows)
    assert all(row.startswith(" ") for row in rows[1:])
    assert folded.replace("\r\n ", "") == "SUMMARY:" + calendar.escape(title)  # each row decodes on its own
    event = calendar.signup_ics(ShiftSignup(id=7, shift_id=1, user_id=1, status="cancelled"),
                                _a_shift(), title=title, place="涡阳县", url="https://x.test/needs/1/shifts",
                                host="x.test", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "STATUS:CANCELLED" in event and "DTSTART:20260301T010000Z" in event  # 09:00 in China


def _a_shift():
    from datetime import date, time

    from marketplace.volunteering.models import Shift

    return Shift(id=1, need_id=1, date=date(2026, 3, 1), start_time=time(9), end_time=time(11), place="涡阳县",
                 capacity=2, signup_code="123456", created_by_id=1)
