"""Signing up to shifts: capacity is never exceeded, the waitlist is promoted on cancellation, and the
rules (no double sign-up, required skills, 12-hour cancellation notice) hold."""

import threading
from datetime import timedelta

import pytest
from shift_support import service_need, shift, volunteer
from sqlalchemy import func, select

from marketplace.db import transaction
from marketplace.errors import Conflict, Forbidden
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.volunteering import signups
from marketplace.volunteering.models import Shift, ShiftSignup

RACERS = 16


def test_concurrent_signups_never_exceed_capacity(world, engine):
    need = service_need(world)
    the_shift = shift(world, need, capacity=3)
    racers = [volunteer(world, f"racer{i}") for i in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(user_id: int, waitlist: bool) -> None:
        barrier.wait()
        try:
            with transaction(engine) as s:
                result = signups.sign_up(s, world.user(s, user_id), s.get(Shift, the_shift.id), waitlist=waitlist).status
        except Conflict:
            result = "full"
        except Exception as error:  # a lock error or anything else fails the assertions below
            result = f"error: {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(uid, i % 2 == 0)) for i, uid in enumerate(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("booked") == 3
    assert outcomes.count("booked") + outcomes.count("waitlisted") + outcomes.count("full") == RACERS
    with world.tx() as s:
        assert s.get(Shift, the_shift.id).booked == 3
        booked = s.scalar(select(func.count()).select_from(ShiftSignup).where(
            ShiftSignup.shift_id == the_shift.id, ShiftSignup.status == "booked"))
        assert booked == 3
        waitlisted = s.scalar(select(func.count()).select_from(ShiftSignup).where(
            ShiftSignup.shift_id == the_shift.id, ShiftSignup.status == "waitlisted"))
        assert waitlisted == outcomes.count("waitlisted")


def test_full_shift_offers_the_waitlist_and_cancellation_promotes_the_first(world):
    need = service_need(world)
    the_shift = shift(world, need, capacity=1)
    first, second, third = (volunteer(world, name) for name in ("first", "second", "third"))
    with world.tx() as s:
        booked = signups.sign_up(s, world.user(s, first), s.get(Shift, the_shift.id))
        with pytest.raises(Conflict, match="候补"):
            signups.sign_up(s, world.user(s, second), s.get(Shift, the_shift.id))
    with world.tx() as s:
        w1 = signups.sign_up(s, world.user(s, second), s.get(Shift, the_shift.id), waitlist=True)
        w2 = signups.sign_up(s, world.user(s, third), s.get(Shift, the_shift.id), waitlist=True)
        assert (w1.status, w2.status) == ("waitlisted", "waitlisted")
        assert (signups.waitlist_position(s, w1), signups.waitlist_position(s, w2)) == (1, 2)
    with world.tx() as s:
        promoted = signups.cancel(s, world.user(s, first), s.get(ShiftSignup, booked.id))
        assert promoted.id == w1.id
    with world.tx() as s:
        assert s.get(ShiftSignup, booked.id).status == "cancelled"
        assert s.get(ShiftSignup, w1.id).status == "booked"
        assert signups.waitlist_position(s, s.get(ShiftSignup, w2.id)) == 1
        assert s.get(Shift, the_shift.id).booked == 1
        mail = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "shift.promoted")).one()
        assert mail.topic == "mail"
        assert mail.payload["to"] == world.user(s, second).email and "/my/shifts" in opened(mail.payload)["text"]
        assert mail.idempotency_key == f"promoted:{w1.id}"


def test_a_volunteer_cannot_sign_up_twice(world):
    need = service_need(world)
    the_shift = shift(world, need, capacity=5)
    helper = volunteer(world, "twice")
    with world.tx() as s:
        signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
    with world.tx() as s, pytest.raises(Conflict, match="不能重复报名"):
        signups.sign_up(s, world.user(s, helper), s.get(Shift, the_shift.id))
    with world.tx() as s:
        assert s.get(Shift, the_shift.id).booked == 1


def test_missing_skill_is_named(world):
    need = service_need(world)
    the_shift = shift(world, need, skills=["bathing", "nursing"])
    unskilled = volunteer(world, "unskilled", skills=["bathing"])
    skilled = volunteer(world, "skilled", skills=["bathing", "nursing"])
    with world.tx() as s, pytest.raises(Forbidden, match="护理"):
        signups.sign_up(s, world.user(s, unskilled), s.get(Shift, the_shift.id))
    with world.tx() as s:
        assert signups.sign_up(s, world.user(s, skilled), s.get(Shift, the_shift.id)).status == "booked"


def test_cancellation_within_12_hours_is_refused(world):
    need = service_need(world)
    soon = shift(world, need, starts_in=timedelta(hours=5))
    later = shift(world, need, starts_in=timedelta(hours=13))
    helper = volunteer(world, "late")
    with world.tx() as s:
        late_one = signups.sign_up(s, world.user(s, helper), s.get(Shift, soon.id))
        early_one = signups.sign_up(s, world.user(s, helper), s.get(Shift, later.id))
    with world.tx() as s, pytest.raises(Conflict, match="12小时内不能在线取消"):
        signups.cancel(s, world.user(s, helper), s.get(ShiftSignup, late_one.id))
    with world.tx() as s:
        signups.cancel(s, world.user(s, helper), s.get(ShiftSignup, early_one.id))
    with world.tx() as s:
        assert s.get(ShiftSignup, late_one.id).status == "booked"
        assert s.get(ShiftSignup, early_one.id).status == "cancelled"
        assert s.get(Shift, later.id).booked == 0
