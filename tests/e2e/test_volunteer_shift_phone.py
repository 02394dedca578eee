"""The issue's volunteer journey on a 375 px phone: find an open shift on 志愿服务, sign up, download its
calendar file and read it; later a visitor checks the certificate's 验证编号."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from support import PASSWORD

PHONE = {"width": 375, "height": 740}


def _arrange(world):
    """A volunteer with one approved hour already, and an open shift on a claimed service need."""
    from marketplace.claims import service as claims
    from marketplace.needs.models import Need
    from marketplace.volunteering import attendance, registration, shifts, signups

    need = world.need("open", form="service", category="care", title="独居老人上门助浴")
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
        user = registration.register(s, world.vault, registration.Registration(
            email="walker@volunteer.cn", password=PASSWORD, display_name="李四", real_name="李四光",
            phone="13800000000", region_code="341621", skills=[], organization_id=world.org_id))
        charity = world.user(s, world.charity)

        def make(start):
            end = start + timedelta(hours=2)
            return shifts.create_shift(s, charity, s.get(Need, need.id), on=start.date(), start=start.time(),
                                       end=end.time(), capacity=3, now=start - timedelta(days=1))

        soon = (datetime.now(shifts.LOCAL) + timedelta(minutes=30)).replace(second=0, microsecond=0)
        served = make(soon)
        signup = signups.sign_up(s, user, served, now=soon - timedelta(hours=1))
        attendance.check_in(s, charity, signup, now=soon)
        entry = attendance.check_out(s, charity, signup, now=soon + timedelta(minutes=60))
        attendance.decide(s, world.user(s, world.poster), entry, True)
        upcoming = make((datetime.now(shifts.LOCAL) + timedelta(days=4)).replace(hour=9, minute=0, second=0,
                                                                                 microsecond=0))
        return upcoming


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.e2e
def test_a_volunteer_books_a_shift_on_a_phone_and_a_visitor_checks_the_certificate(new_user, console_errors,
                                                                                      world):
    upcoming = _arrange(world)
    page = new_user()
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.get_by_label("电子邮箱").fill("walker@volunteer.cn")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("欢迎，")).to_be_visible()
    expect(page.locator('nav a[href="/shifts"]')).to_have_count(1)  # 志愿服务 is in the volunteer's menu

    page.goto("/shifts")
    page.get_by_label("从").fill(upcoming.date.isoformat())
    page.get_by_role("button", name="筛选").click()
    card = page.locator(f"#shift-{upcoming.id}")
    expect(card).to_contain_text("独居老人上门助浴")
    expect(card).to_contain_text("3 / 3")
    _fits(page)
    card.get_by_role("button", name="报名").click()
    expect(page.get_by_text("报名成功")).to_be_visible()

    page.goto("/my/shifts")
    with page.expect_download() as info:
        page.locator("a.calendar").last.click()  # the later of the two shifts: the one just booked
    with open(info.value.path(), encoding="utf-8", newline="") as downloaded:
        ics = downloaded.read().replace("\r\n ", "")
    assert info.value.suggested_filename.endswith(".ics")
    assert "BEGIN:VEVENT" in ics and "SUMMARY:独居老人上门助浴" in ics and "LOCATION:涡阳县" in ics
    assert f"DTSTART:{upcoming.date:%Y%m%d}T010000Z" in ics  # 09:00 China time
    assert "幸福村" not in ics and "李四光" not in ics
    _fits(page)

    page.goto("/my/hours/certificate")
    number = page.locator("strong.number").inner_text()
    assert re.fullmatch(r"SQ-[0-9A-Z]+-\d{8}-\d{8}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", number)

    visitor = new_user()
    visitor.set_viewport_size(PHONE)
    visitor.goto("/certificates")
    visitor.get_by_role("textbox", name="验证编号").fill(number)
    visitor.get_by_role("button", name="核验").click()
    expect(visitor.get_by_text("是本平台出具的有效编号")).to_be_visible()
    expect(visitor.locator("dd.name")).to_have_text("李*")
    expect(visitor.locator("dd.organization")).to_have_text("涡阳县慈善协会")
    expect(visitor.locator("strong.total")).to_have_text("1")
    _fits(visitor)
    assert not console_errors, console_errors
    made_up = visitor.goto("/certificates/SQ-1-20260101-20260102-0000-0000-0000")
    assert made_up.status == 404  # (the browser logs the 404 itself as a console error)
