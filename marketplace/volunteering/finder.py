"""志愿服务: upcoming shifts with open places, for anyone to find and volunteers to book. Only the need's
public projection reaches the page (title and township-level place, generalised to the county where the
projection does); the place filter offers exactly the places the projection names, so choosing a township
cannot single out one the public pages hide.

Open means: the shift is active, not full, starts in the future, and its need can still be served
(open, claimed or in progress: a started service still takes volunteers)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, tuple_
from sqlmodel import Session

from ..errors import Invalid
from ..i18n import _
from ..modelbase import utcnow
from ..needs import listing
from ..needs.models import Need
from ..paging import Page, PageRequest, counted
from ..regions.models import Region
from ..registry.models import Household
from ..vocabulary import SKILLS, label
from .models import Shift, VolunteerProfile
from .shifts import LOCAL, SCHEDULABLE, skill_codes

HORIZON = timedelta(days=366)  # the latest date a filter may ask for, from today


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    place: str = ""  # a county (6 digits) or a township (9 digits) the projection names
    skill: str = ""

    @property
    def active(self) -> bool:
        return bool(self.start or self.end or self.place or self.skill)


@dataclass(frozen=True)
class OpenShift:
    shift: Shift
    title: str
    area: str
    category: str
    free: int

    @property
    def skills(self) -> list[str]:
        return [label(SKILLS, code) for code in skill_codes(self.shift.required_skills)]


def _day(raw: str | None, name: str, field: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("%(field)s格式应为 年-月-日（如 2026-05-01）。", field=field), name) from None


def filters_from(args, today: date) -> Filters:
    """The query string as filters; a malformed or impossible one is a 422 naming the field."""
    start, end = _day(args.get("from"), "from", _("开始日期")), _day(args.get("to"), "to", _("结束日期"))
    if start and end and end < start:
        raise Invalid(_("结束日期不能早于开始日期。"), "to")
    if end and end > today + HORIZON:
        raise Invalid(_("结束日期最多可选一年以内。"), "to")
    place = (args.get("place") or "").strip()
    if place and not (place.isdigit() and len(place) in (6, 9)):
        raise Invalid(_("地区须从列表中选择。"), "place")
    skill = (args.get("skill") or "").strip()
    if skill and skill not in SKILLS:
        raise Invalid(_("技能须从列表中选择。"), "skill")
    return Filters(start, end, place, skill)


def _open(now: datetime):
    local = now.astimezone(LOCAL)
    today, clock = local.date(), local.time().replace(tzinfo=None)
    return and_(Shift.status == "active", Shift.booked < Shift.capacity, Need.status.in_(SCHEDULABLE),
                or_(Shift.date > today, and_(Shift.date == today, Shift.start_time > clock)))


def open_query(now: datetime):
    """Shifts open at `now`, joined to their need and household (for filters on either)."""
    return (select(Shift).join(Need, Need.id == Shift.need_id)
            .join(Household, Household.id == Need.household_id).where(_open(now)))


def place_choices(session: Session, now: datetime | None = None) -> list[tuple[str, str]]:
    """(code, name) of the counties and nameable townships that have open shifts, in code order. Work is
    proportional to the open shifts' distinct places, not to the registry."""
    now = now or utcnow()
    pairs = set(session.execute(select(Need.region_code, Household.tier).distinct()
                                .select_from(Shift).join(Need, Need.id == Shift.need_id)
                                .join(Household, Household.id == Need.household_id).where(_open(now))).all())
    nameable = listing.nameable_townships(session, pairs)
    codes = {code[:6] for code, _tier in pairs} | {t for t in nameable.values() if t}
    names = {r.code: r.name for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    # A township reads "颜集镇（谯城区）": the cards' "county · township" is a need's place, this is a choice.
    return [(code, f"{names.get(code, '')}（{names.get(code[:6], '')}）" if len(code) == 9 else names.get(code, ""))
            for code in sorted(codes)]


def _in_place(session: Session, query, place: str, now: datetime):
    if len(place) == 6:
        return query.where(Need.region_code.startswith(place))
    # A township only where the projection names it: the (place, tier) pairs it shows as that township.
    pairs = set(session.execute(select(Need.region_code, Household.tier).distinct()
                                .select_from(Shift).join(Need, Need.id == Shift.need_id)
                                .join(Household, Household.id == Need.household_id)
                                .where(_open(now), Need.region_code.startswith(place))).all())
    shown = [pair for pair, town in listing.nameable_townships(session, pairs).items() if town == place]
    if not shown:
        return query.where(Shift.id.is_(None))
    return query.where(tuple_(Need.region_code, Household.tier).in_(shown))


def search(session: Session, filters: Filters, want: PageRequest, now: datetime | None = None) -> Page:
    """A counted page of open shifts, soonest first."""
    now = now or utcnow()
    query = open_query(now)
    if filters.start:
        query = query.where(Shift.date >= filters.start)
    if filters.end:
        query = query.where(Shift.date <= filters.end)
    if filters.skill:
        # Codes are space-separated words (vocabulary SKILLS): pad so one code never matches inside another.
        query = query.where((" " + Shift.required_skills + " ").contains(f" {filters.skill} "))
    if filters.place:
        query = _in_place(session, query, filters.place, now)
    page = counted(session, query.order_by(Shift.date, Shift.start_time, Shift.id), want, scalars=True)
    return page.with_items(described(session, page.items))


def described(session: Session, found: list[Shift]) -> list[OpenShift]:
    public = listing.projected(session, [s.need_id for s in found])
    return [OpenShift(s, public[s.need_id].title, public[s.need_id].area, public[s.need_id].category,
                      s.capacity - s.booked) for s in found if s.need_id in public]


def near(session: Session, regions, skills: set[str], limit: int = 5,
         now: datetime | None = None) -> list[OpenShift]:
    """Open shifts a volunteer could take: in their declared (or home) counties, needing no skill they lack.
    For 为我推荐 and the daily digest."""
    now = now or utcnow()
    query = open_query(now)
    counties = sorted({code[:6] for code in regions if code})
    if counties:
        query = query.where(or_(*(Need.region_code.startswith(c) for c in counties)))
    rows = session.scalars(query.order_by(Shift.date, Shift.start_time, Shift.id).limit(limit * 4)).all()
    fitting = [s for s in rows if set(skill_codes(s.required_skills)) <= skills][:limit]
    return described(session, fitting)


def for_volunteer(session: Session, user, regions, limit: int = 5, now: datetime | None = None) -> list[OpenShift]:
    """`near`, with the volunteer's declared skills."""
    profile = session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)).first()
    return near(session, regions, set(skill_codes(profile.skills)) if profile else set(), limit, now)
