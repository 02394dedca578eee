"""Volunteers trying the demo find shifts: every open service need has upcoming shifts, most with places
left, in more than one county, some asking for a skill; the first ones already have volunteers booked."""

from datetime import date

from sqlalchemy import func, select

from marketplace.demo.seed import seed_demo
from marketplace.models import Need
from marketplace.volunteering.models import Shift


def test_every_open_service_need_in_the_demo_has_shifts_with_open_places(app, engine, tx):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        service = set(s.scalars(select(Need.id).where(Need.status == "open", Need.form == "service")))
        shifts = s.scalars(select(Shift).where(Shift.status == "active")).all()
        regions = set(s.scalars(select(func.substr(Need.region_code, 1, 6)).where(Need.id.in_(service))))
    with_shifts = {shift.need_id for shift in shifts}
    assert len(service) >= 20 and service <= with_shifts
    upcoming = [shift for shift in shifts if shift.date > date.today()]
    assert len(upcoming) == len(shifts) >= 2 * len(service)
    open_places = [shift for shift in upcoming if shift.booked < shift.capacity]
    assert len(open_places) >= len(service)
    assert any(shift.booked > 0 for shift in shifts) and any(shift.required_skills for shift in shifts)
    assert len(regions) >= 2
