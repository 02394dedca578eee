"""The shift pages as people use them: a coordinator adds a shift and sees its code; a volunteer signs
up, checks in with the code, and is told clearly when cancelling is too late."""

import re
from datetime import datetime, timedelta

from shift_support import service_need, shift, volunteer
from sqlalchemy import select

from marketplace.volunteering import shifts, signups
from marketplace.volunteering.models import Shift, ShiftSignup
from support import login, post


def test_coordinator_adds_a_shift_and_only_coordinators_see_the_code(world, client):
    need = service_need(world)
    page = f"/needs/{need.id}/shifts"
    assert f'href="{page}"' in client.get(f"/needs/{need.id}").get_data(as_text=True)
    login(client, "member@charity.org.cn")
    day = (datetime.now(shifts.LOCAL) + timedelta(days=5)).date()
    response = post(client, page, {"date": day.isoformat(), "start_time": "09:00", "end_time": "11:30",
                                   "capacity": "2", "required_skills": ["bathing"]}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)
    with world.tx() as s:
        created = s.scalars(select(Shift).where(Shift.need_id == need.id)).one()
        assert (created.place, created.required_skills, created.organization_id) == (
            "涡阳县", "bathing", world.org_id)  # one 低保边缘 household in 楚店镇: the county only
        assert re.fullmatch(r"\d{6}", created.signup_code)
    assert created.signup_code in client.get(page).get_data(as_text=True)
    post(client, "/logout")
    public = client.get(page).get_data(as_text=True)
    assert "涡阳县" in public and "楚店镇" not in public and created.signup_code not in public
    login(client, "helper@volunteer.cn")  # a volunteer may not add shifts
    refused = post(client, page, {"date": day.isoformat(), "start_time": "09:00", "end_time": "10:00",
                                  "capacity": "1"}, page=page)
    assert refused.status_code == 403
    assert created.signup_code not in client.get(page).get_data(as_text=True)


def test_volunteer_signs_up_checks_in_with_code_and_cannot_cancel_late(world, client):
    need = service_need(world)
    the_shift = shift(world, need, starts_in=timedelta(minutes=30), capacity=1)
    volunteer(world, "walker")
    page = f"/needs/{need.id}/shifts"
    login(client, "walker@volunteer.cn")
    response = post(client, f"/shifts/{the_shift.id}/signup", page=page)
    assert response.status_code == 303
    with world.tx() as s:
        signup = s.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == the_shift.id)).one()
        assert signup.status == "booked"
    late = post(client, f"/my/signups/{signup.id}/cancel", page="/my/shifts")
    assert late.status_code == 409 and "开始前12小时内不能在线取消" in late.get_data(as_text=True)
    wrong = post(client, f"/signups/{signup.id}/check-in", {"code": "x"}, page="/my/shifts")
    assert wrong.status_code == 422
    ok = post(client, f"/signups/{signup.id}/check-in", {"code": the_shift.signup_code}, page="/my/shifts")
    assert ok.status_code == 303
    with world.tx() as s:
        assert s.get(ShiftSignup, signup.id).checked_in_at is not None
        assert signups.waitlist_position(s, s.get(ShiftSignup, signup.id)) is None
    mine = client.get("/my/shifts").get_data(as_text=True)
    assert "签退" in mine and "独居老人上门助浴" in mine
