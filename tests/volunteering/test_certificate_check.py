"""The hours certificate counts approved hours only, including verified services of the volunteer's own
claims, and its 验证编号 can be checked by anyone at /certificates/<number>: a masked name, the
organisation, the approved hours and the period; a number the platform did not issue is a 404."""

import re
from datetime import timedelta

from shift_support import service_need, shift, volunteer

from marketplace.volunteering import attendance, certificates, signups
from marketplace.volunteering.models import Shift
from marketplace.volunteering.shifts import starts_at
from support import login, post


def _served(world, helper: int, minutes: int, decision: str | None):
    the_shift = shift(world, service_need(world), capacity=2)
    start = starts_at(the_shift)
    with world.tx() as s:
        signup = signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
        attendance.check_in(s, world.user(s, world.charity), signup, now=start)
        entry = attendance.check_out(s, world.user(s, world.charity), signup, now=start + timedelta(minutes=minutes))
        if decision:
            attendance.decide(s, world.user(s, world.poster), entry, decision == "approve", "未按时到场")
    return the_shift


def _number(page: str) -> str:
    return re.search(r'<strong class="number">(SQ-[0-9A-Z-]+)</strong>', page).group(1)


def test_anyone_checks_a_certificate_number_and_sees_only_the_masked_summary(world, client):
    helper = volunteer(world, "王小明", organization_id=world.org_id)
    first = _served(world, helper, 90, "approve")
    _served(world, helper, 60, "decline")
    _served(world, helper, 45, None)
    login(client, "王小明@volunteer.cn")
    cert = client.get("/my/hours/certificate").get_data(as_text=True)
    assert '<strong class="total">1.5</strong>' in cert  # approved only: not the declined or pending ones
    number = _number(cert)
    assert f"/certificates/{number}" in cert
    post(client, "/logout")

    page = client.get(f"/certificates/{number}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<dd class="name">王**</dd>' in text and "王小明" not in text and "张志愿" not in text
    assert "涡阳县慈善协会" in text and '<strong class="total">1.5</strong>' in text
    assert f"{first.date.isoformat()} 至 {first.date.isoformat()}" in text
    assert "13800000000" not in text and "独居老人上门助浴" not in text
    assert client.get(f"/certificates/{number.lower()}").status_code == 200  # typed in lower case
    assert client.get(f"/certificates?number={number}").headers["Location"].endswith(f"/certificates/{number}")

    # A number is not guessable: change any part of it and it checks out nowhere.
    head, uid, start, end, *tag = number.split("-")
    other_user = "-".join([head, certificates._b32(helper + 1), start, end, *tag])
    other_period = "-".join([head, uid, start, str(int(end) + 1), *tag])
    flipped = number[:-1] + ("A" if number[-1] != "A" else "B")
    for wrong in (other_user, other_period, flipped, "SQ-1", "not-a-number", "SQ-I-20260101-20260102-0000-0000-0000"):
        assert client.get(f"/certificates/{wrong}").status_code == 404, wrong


def test_numbers_of_two_volunteers_share_nothing_guessable(world, client, app):
    a, b = volunteer(world, "甲"), volunteer(world, "乙")
    day = _served(world, a, 60, "approve").date  # the local date the certificate names
    key = app.config["SECRET_KEY"]
    one, two = certificates.number_for(key, a, day, day), certificates.number_for(key, b, day, day)
    assert one.rsplit("-", 3)[1:] != two.rsplit("-", 3)[1:]
    assert certificates.number_for("another installation", a, day, day) != one
    with world.tx() as s:
        found = certificates.check(s, key, one)
        assert found.masked_name == "甲*" and found.total_minutes == 60 and found.organization is None
        assert certificates.check(s, key, two).total_minutes == 0  # issued for a period b did not serve


def test_verified_service_of_ones_own_claim_counts(world, client):
    """The demo's volunteers serve by claiming service needs: their verified hours are approved hours
    (the certificate printed "0 小时" before)."""
    world.need("verified", form="service", category="care", title="独居老人陪诊")
    world.need("submitted", form="service", category="care", title="尚未核验的陪诊")
    login(client, "helper@volunteer.cn")
    cert = client.get("/my/hours/certificate").get_data(as_text=True)
    assert '<strong class="total">3</strong>' in cert and "独居老人陪诊" in cert and "尚未核验的陪诊" not in cert
    assert '<strong class="total">3</strong>' in client.get("/my/shifts").get_data(as_text=True)
    number = _number(cert)
    post(client, "/logout")
    assert '<strong class="total">3</strong>' in client.get(f"/certificates/{number}").get_data(as_text=True)


def test_no_number_without_approved_hours(world, client):
    volunteer(world, "新人")
    login(client, "新人@volunteer.cn")
    cert = client.get("/my/hours/certificate").get_data(as_text=True)
    assert "暂不出具验证编号" in cert and 'class="number"' not in cert
