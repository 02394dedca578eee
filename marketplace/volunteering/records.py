"""What a volunteer sees of their own service (我的服务) and the organisation's hours export (the
certificate: certificates.py). Only display names appear: never the real name or phone. A need's title and
place come from its public projection (needs.listing.projected), as on the public pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlmodel import Session

from ..auth.access import require_role
from ..auth.models import AppUser
from ..errors import Forbidden
from ..i18n import _
from ..modelbase import utcnow
from ..needs.listing import projected
from ..spreadsheets import Column, csv_text, fit
from .models import HoursEntry, Shift, ShiftSignup, VolunteerProfile
from .shifts import ends_at
from .signups import LIVE, waitlist_position


@dataclass(frozen=True)
class MyShift:
    signup: ShiftSignup
    shift: Shift
    need_title: str
    place: str
    position: int | None


@dataclass(frozen=True)
class HoursLine:
    entry: HoursEntry
    shift: Shift
    need_title: str
    display_name: str = ""

    @property
    def hours(self) -> float:
        return round(self.entry.minutes / 60, 2)


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def upcoming(session: Session, actor, now: datetime | None = None) -> list[MyShift]:
    require_role(actor, "volunteer")
    now = now or utcnow()
    rows = [(signup, shift) for signup, shift in session.execute(
        select(ShiftSignup, Shift).join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(ShiftSignup.user_id == actor.id, ShiftSignup.status.in_(LIVE))
        .order_by(Shift.date, Shift.start_time)) if ends_at(shift) >= now]
    public = projected(session, [shift.need_id for _signup, shift in rows])
    return [MyShift(signup, shift, public[shift.need_id].title, public[shift.need_id].area,
                    waitlist_position(session, signup)) for signup, shift in rows]


def _lines(session: Session, where, with_names: bool = False) -> list[HoursLine]:
    query = (select(HoursEntry, Shift, AppUser.display_name)
             .join(Shift, Shift.id == HoursEntry.shift_id)
             .join(AppUser, AppUser.id == HoursEntry.user_id).where(where)
             .order_by(Shift.date, Shift.start_time, HoursEntry.id))
    rows = session.execute(query).all()
    public = projected(session, [shift.need_id for _entry, shift, _name in rows])
    return [HoursLine(entry, shift, public[shift.need_id].title, name if with_names else "")
            for entry, shift, name in rows]


def my_hours(session: Session, actor) -> tuple[list[HoursLine], int]:
    """Every entry (pending, approved, declined) and the approved total in minutes."""
    require_role(actor, "volunteer")
    lines = _lines(session, HoursEntry.user_id == actor.id)
    return lines, sum(line.entry.minutes for line in lines if line.entry.status == "approved")


def organization_hours(session: Session, actor) -> list[HoursLine]:
    """Approved hours of the organisation's volunteers: those who declared membership on registration,
    and anyone who served on a shift the organisation coordinated."""
    require_role(actor, "charity")
    if not actor.organization_id:
        raise Forbidden(_("您的账号尚未关联组织。"))
    members = select(VolunteerProfile.user_id).where(VolunteerProfile.organization_id == actor.organization_id)
    where = (HoursEntry.status == "approved") & or_(HoursEntry.user_id.in_(members),
                                                    Shift.organization_id == actor.organization_id)
    return _lines(session, where, with_names=True)


# The export's headers stay Chinese: a prescribed report format, not interface text.
HOURS_COLUMNS = [Column("志愿者", fit("志愿者", 10)), Column("服务日期", fit("服务日期", 10)),
                 Column("需求", fit("需求", 30)), Column("时长（小时）", fit("时长（小时）"))]


def hours_csv(lines: list[HoursLine]) -> str:
    return csv_text(HOURS_COLUMNS, ((line.display_name, line.shift.date, line.need_title,
                                     hours_text(line.entry.minutes)) for line in lines))
