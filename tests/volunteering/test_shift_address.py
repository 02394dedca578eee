"""The exact address goes only to volunteers booked on an active shift, from 24 hours before its start
until its end, by a logged POST; waitlisted and other volunteers, staff and visitors do not see it here."""

from datetime import timedelta

import pytest
from shift_support import ADDRESS, service_need, shift, volunteer
from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.registry.models import AccessLog
from marketplace.volunteering import address, shifts, signups
from marketplace.volunteering.models import Shift
from marketplace.volunteering.shifts import ends_at, starts_at
from support import login, post


def _logs(world):
    with world.tx() as s:
        return s.scalars(select(AccessLog).where(AccessLog.action == "view_address")).all()


def test_booked_volunteer_sees_the_address_only_inside_the_window(world):
    need = service_need(world)
    the_shift = shift(world, need, starts_in=timedelta(days=3))
    helper = volunteer(world, "window")
    with world.tx() as s:
        signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
    start, end = starts_at(the_shift), ends_at(the_shift)
    with world.tx() as s:
        actor, row = world.user(s, helper), s.get(Shift, the_shift.id)
        with pytest.raises(Forbidden, match="24小时"):
            address.reveal(s, actor, row, world.vault, now=start - timedelta(hours=25))
        assert address.reveal(s, actor, row, world.vault, now=start - timedelta(hours=23)) == ADDRESS
        assert address.reveal(s, actor, row, world.vault, now=end - timedelta(minutes=1)) == ADDRESS
        with pytest.raises(Forbidden, match="已结束"):
            address.reveal(s, actor, row, world.vault, now=end + timedelta(minutes=1))
    logs = _logs(world)
    assert len(logs) == 2 and {log.user_id for log in logs} == {helper}
    with world.tx() as s:
        shifts.cancel_shift(s, world.user(s, world.charity), s.get(Shift, the_shift.id))
    with world.tx() as s, pytest.raises(Forbidden, match="已取消"):
        address.reveal(s, world.user(s, helper), s.get(Shift, the_shift.id), world.vault, now=start)


def test_address_reveal_page_rule(world, client):
    need = service_need(world)
    the_shift = shift(world, need, starts_in=timedelta(hours=2), capacity=1)
    booked, waiting, other = volunteer(world, "booked"), volunteer(world, "waiting"), volunteer(world, "other")
    with world.tx() as s:
        signups.sign_up(s, world.user(s, booked), s.get(Shift, the_shift.id))
        signups.sign_up(s, world.user(s, waiting), s.get(Shift, the_shift.id), waitlist=True)
    page = f"/needs/{need.id}/shifts"
    url = f"/shifts/{the_shift.id}/address"

    anonymous = client.post(url, data={})
    assert anonymous.status_code in (302, 303, 400) and ADDRESS not in anonymous.get_data(as_text=True)
    for name in ("waiting", "other"):
        login(client, f"{name}@volunteer.cn")
        assert "查看服务地址</button>" not in client.get(page).get_data(as_text=True)
        refused = post(client, url, page=page)
        assert refused.status_code == 403 and ADDRESS not in refused.get_data(as_text=True)
        post(client, "/logout")
    login(client, "chudian@guoyang.gov.cn")  # staff of the township: their own pages, not this one
    staff = post(client, url, page=page)
    assert staff.status_code == 403 and ADDRESS not in staff.get_data(as_text=True)
    assert ADDRESS not in client.get(page).get_data(as_text=True)
    post(client, "/logout")
    assert _logs(world) == []

    login(client, "booked@volunteer.cn")
    listing = client.get(page).get_data(as_text=True)
    assert "查看服务地址</button>" in listing and ADDRESS not in listing
    shown = post(client, url, page=page)
    assert shown.status_code == 200 and ADDRESS in shown.get_data(as_text=True)
    logs = _logs(world)
    assert [(log.user_id, log.household_id, log.path) for log in logs] == [(booked, need.household_id, url)]
    assert other and waiting  # both refused above
