"""我的服务, the printable hours certificate and the organisation's CSV export: approved hours only, display
names only, no phone."""

import csv
import io
from datetime import timedelta

from shift_support import service_need, shift, volunteer

from marketplace.needs.models import Need
from marketplace.volunteering import attendance, signups
from marketplace.volunteering.models import Shift
from marketplace.volunteering.shifts import starts_at
from support import login, post


def _served(world, helper: int, minutes: int, decision: str | None):
    """`helper` attends a new shift for `minutes`; the region's staff approve or decline, or nobody yet."""
    the_shift = shift(world, service_need(world), capacity=2)
    start = starts_at(the_shift)
    with world.tx() as s:
        signup = signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
        attendance.check_in(s, world.user(s, world.charity), signup, now=start)
        entry = attendance.check_out(s, world.user(s, world.charity), signup, now=start + timedelta(minutes=minutes))
        if decision:
            attendance.decide(s, world.user(s, world.poster), entry, decision == "approve", "未按时到场")
    return the_shift


def test_my_shifts_certificate_and_organisation_csv(world, client):
    helper = volunteer(world, "hours", organization_id=world.org_id)
    first = _served(world, helper, 90, "approve")
    _served(world, helper, 60, "decline")
    _served(world, helper, 45, None)
    pending = _served(world, volunteer(world, "outsider"), 120, None)  # pending: in nobody's export

    login(client, "hours@volunteer.cn")
    mine = client.get("/my/shifts").get_data(as_text=True)
    assert "已认定" in mine and "未认定" in mine and "待审核" in mine and "未按时到场" in mine
    assert '<strong class="total">1.5</strong>' in mine
    cert = client.get("/my/hours/certificate").get_data(as_text=True)
    assert "志愿服务时长证明" in cert and "善桥" in cert and "hours" in cert
    assert '<strong class="total">1.5</strong>' in cert and "验证编号：<strong class=\"number\">SQ-" in cert
    assert cert.count("独居老人上门助浴") == 1  # approved entries only
    assert first.date.isoformat() in cert
    post(client, "/logout")

    login(client, "member@charity.org.cn")
    with_roster = client.get(f"/needs/{first.need_id}/shifts").get_data(as_text=True)
    assert "1.50 小时 · 已认定" in with_roster and first.signup_code in with_roster
    to_review = client.get(f"/needs/{pending.need_id}/shifts").get_data(as_text=True)
    assert "2.00 小时 · 待审核" in to_review and "不予认定原因" in to_review
    response = client.get("/organization/hours.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["志愿者", "服务日期", "需求", "时长（小时）"]
    assert rows[1:] == [["hours", first.date.isoformat(), "独居老人上门助浴", "1.5"]]
    assert "13800000000" not in response.get_data(as_text=True)


def test_the_hours_csv_neutralises_formulas_in_names_and_titles(world, client):
    helper = volunteer(world, "calc", organization_id=world.org_id)
    with world.tx() as s:
        world.user(s, helper).display_name = "=1+cmd|' /C calc'!A0"
    served = _served(world, helper, 60, "approve")
    with world.tx() as s:
        s.get(Need, served.need_id).title = "@SUM(A1:A9)"
    login(client, "member@charity.org.cn")
    response = client.get("/organization/hours.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1] == ["'=1+cmd|' /C calc'!A0", served.date.isoformat(), "'@SUM(A1:A9)", "1"]
