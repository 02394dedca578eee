"""The shifts part of the daily digest: shifts added in the last day that still have open places, for
volunteers whose followed categories and places match the shift's need. Titles and places come from the
need's public projection, as everywhere mail goes to a non-staff reader."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from ..needs.models import Need
from ..volunteering import finder
from ..volunteering.models import Shift
from . import subscriptions
from .tokens import absolute


def new_open_shifts(session: Session, since: datetime, now: datetime) -> list[tuple[finder.OpenShift, str]]:
    """(shift as listed, its need's region code) for shifts created after `since` that are still open."""
    query = (finder.open_query(now).where(Shift.created_at > since)
             .order_by(Shift.date, Shift.start_time, Shift.id).limit(500))
    found = list(session.scalars(query))
    regions = dict(session.execute(select(Need.id, Need.region_code)
                                   .where(Need.id.in_({s.need_id for s in found}))).all()) if found else {}
    return [(item, regions[item.shift.need_id]) for item in finder.described(session, found)]


def matching(row, user, shifts: list[tuple[finder.OpenShift, str]]) -> list[dict]:
    if getattr(user, "role", None) != "volunteer":
        return []
    return [{"title": item.title, "area": item.area, "date": item.shift.date.isoformat(),
             "time": f"{item.shift.start_time:%H:%M}–{item.shift.end_time:%H:%M}", "free": item.free,
             "url": absolute(f"/needs/{item.shift.need_id}/shifts")}
            for item, region in shifts if subscriptions.matches(row, item.category, region)]
