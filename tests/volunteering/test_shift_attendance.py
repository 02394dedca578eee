"""Check-in and check-out, the hours they record, their review, and the worker's automatic check-out."""

from datetime import timedelta

import pytest
from shift_support import service_need, shift, volunteer
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.modelbase import utcnow
from marketplace.volunteering import attendance, signups
from marketplace.volunteering.models import HoursEntry, Shift, ShiftSignup
from marketplace.volunteering.shifts import starts_at
from marketplace.worker import run_housekeeping


def _booked(world, hours=2):
    need = service_need(world)
    the_shift = shift(world, need, hours=hours, capacity=3)
    helper = volunteer(world, "attendee")
    with world.tx() as s:
        signup = signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
    return the_shift, helper, signup


def test_volunteer_checks_in_and_out_with_the_shift_code(world):
    the_shift, helper, signup = _booked(world)
    start = starts_at(the_shift)
    with world.tx() as s:
        row = s.get(ShiftSignup, signup.id)
        with pytest.raises(Invalid, match="签到码不正确"):
            attendance.check_in(s, world.user(s, helper), row, code="000000" if the_shift.signup_code != "000000"
                                else "111111", now=start)
        attendance.check_in(s, world.user(s, helper), row, code=the_shift.signup_code, now=start - timedelta(minutes=10))
    with world.tx() as s:
        entry = attendance.check_out(s, world.user(s, helper), s.get(ShiftSignup, signup.id),
                                     code=the_shift.signup_code, now=start + timedelta(minutes=100))
        assert (entry.minutes, entry.status, entry.auto_checkout) == (110, "pending", False)


def test_coordinator_checks_a_volunteer_in_without_code_and_others_cannot(world):
    the_shift, helper, signup = _booked(world)
    start = starts_at(the_shift)
    other = volunteer(world, "bystander")
    with world.tx() as s, pytest.raises(Forbidden):
        attendance.check_in(s, world.user(s, other), s.get(ShiftSignup, signup.id), code=the_shift.signup_code,
                            now=start)
    with world.tx() as s, pytest.raises(Conflict, match="不在签到时间内"):
        attendance.check_in(s, world.user(s, world.charity2), s.get(ShiftSignup, signup.id),
                            now=start - timedelta(hours=3))
    with world.tx() as s:
        attendance.check_in(s, world.user(s, world.charity2), s.get(ShiftSignup, signup.id), now=start)
        entry = attendance.check_out(s, world.user(s, world.poster), s.get(ShiftSignup, signup.id),
                                     now=start + timedelta(hours=2))
        assert entry.minutes == 120


def test_hours_are_approved_or_declined_with_a_reason_and_declines_are_kept(world):
    need = service_need(world)
    the_shift = shift(world, need, capacity=3)
    start = starts_at(the_shift)
    entries = []
    for name in ("approved-one", "declined-one"):
        helper = volunteer(world, name)
        with world.tx() as s:
            signup = signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
            attendance.check_in(s, world.user(s, world.charity), signup, now=start)
            entries.append(attendance.check_out(s, world.user(s, world.charity), signup,
                                                now=start + timedelta(hours=2)).id)
    with world.tx() as s:
        with pytest.raises(Forbidden):  # staff of another county
            attendance.decide(s, world.user(s, world.other_county), s.get(HoursEntry, entries[0]), True)
        attendance.decide(s, world.user(s, world.charity2), s.get(HoursEntry, entries[0]), True)
    with world.tx() as s:
        with pytest.raises(Invalid, match="原因"):
            attendance.decide(s, world.user(s, world.poster), s.get(HoursEntry, entries[1]), False, "")
        attendance.decide(s, world.user(s, world.poster), s.get(HoursEntry, entries[1]), False, "当天未到场服务")
    with world.tx() as s:
        approved, declined = s.get(HoursEntry, entries[0]), s.get(HoursEntry, entries[1])
        assert approved.status == "approved" and approved.decided_by_id == world.charity2
        assert (declined.status, declined.decline_reason) == ("declined", "当天未到场服务")
        with pytest.raises(Conflict, match="已审核"):
            attendance.decide(s, world.user(s, world.poster), declined, True)
        assert len(s.scalars(select(HoursEntry)).all()) == 2


def test_worker_checks_out_a_volunteer_still_checked_in_after_24_hours(world, app):
    the_shift, helper, signup = _booked(world, hours=3)
    fresh_shift = shift(world, service_need(world, claimed_by_charity=False), capacity=1, actor=world.poster)
    fresh_helper = volunteer(world, "fresh")
    with world.tx() as s:
        fresh = signups.sign_up(s, world.user(s, fresh_helper), s.get(Shift, fresh_shift.id))
        # Arranged directly: a check-in 25 hours ago, and one an hour ago that must be left alone.
        s.get(ShiftSignup, signup.id).checked_in_at = utcnow() - timedelta(hours=25)
        fresh.checked_in_at = utcnow() - timedelta(hours=1)
    run_housekeeping(app)
    with world.tx() as s:
        row = s.get(ShiftSignup, signup.id)
        assert row.checked_out_at is not None
        entry = s.scalars(select(HoursEntry).where(HoursEntry.signup_id == signup.id)).one()
        assert (entry.status, entry.auto_checkout, entry.minutes) == ("pending", True, 180)
        assert s.get(ShiftSignup, fresh.id).checked_out_at is None
        assert s.scalars(select(HoursEntry).where(HoursEntry.signup_id == fresh.id)).first() is None
