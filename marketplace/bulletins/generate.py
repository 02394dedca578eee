"""Generating a bulletin: every figure of a division's month computed (figures.py, activity.py) into one JSON
payload, with last month's bulletin's headline beside it for the changes, and upserted as the division's row
for the month. A past month reads as it was generated: the row is only ever replaced by generating it again."""

import time
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..auth.access import scope_prefix
from ..db import reading_session, transaction
from ..errors import Invalid
from ..i18n import _
from ..modelbase import utcnow
from ..regions.models import Region
from ..registry.models import RegionTierCount
from . import activity, figures
from .models import MonthlyBulletin
from .period import Month

VERSION = 1
LEVELS = ("county", "prefecture")
# The figures the summary compares with last month's bulletin.
HEADLINE = ("posted", "claimed", "fulfilled", "expired", "households", "money_fen", "blind_spots", "unclaimed")


def bulletin_region(session: Session, region_code: str) -> Region:
    """The county or prefecture a bulletin is about; anything else is refused."""
    region = session.get(Region, region_code) if (region_code or "").isdigit() else None
    if region is None or region.level not in LEVELS:
        raise Invalid(_("通报只按县级或地市级行政区划生成：%(code)s 不是。", code=region_code), "region")
    return region


def place_name(session: Session, region: Region) -> str:
    """A county with its prefecture (亳州市涡阳县), a prefecture alone: place names are data."""
    if region.level == "county" and region.parent_code:
        parent = session.get(Region, region.parent_code)
        if parent is not None and parent.level == "prefecture":
            return parent.name + region.name
    return region.name


def place_names(session: Session, codes) -> dict[str, str]:
    """place_name of each code, in two queries (the divisions, then their prefectures)."""
    regions = list(session.scalars(select(Region).where(Region.code.in_(set(codes))))) if codes else []
    parents = {r.parent_code for r in regions if r.level == "county" and r.parent_code}
    prefectures = dict(session.execute(select(Region.code, Region.name).where(
        Region.code.in_(parents), Region.level == "prefecture")).all()) if parents else {}
    return {r.code: prefectures.get(r.parent_code, "") + r.name if r.level == "county" else r.name for r in regions}


def regions_with_households(session: Session) -> list[str]:
    """Every county and prefecture where active households are registered, prefectures first. Read from the
    maintained households per township (registry/tier_counts.py), not from the registry itself: the worker
    asks every round."""
    townships = session.scalars(select(RegionTierCount.township).distinct().where(RegionTierCount.households > 0))
    counties = {code[:6] for code in townships}
    prefectures = {code[:4] + "00" for code in counties}
    known = session.execute(select(Region.code, Region.level).where(Region.code.in_(counties | prefectures),
                                                                     Region.level.in_(LEVELS))).all()
    return [code for code, _level in sorted(known, key=lambda r: (r.level != "prefecture", r.code))]


def stored(session: Session, region_code: str, month: Month) -> MonthlyBulletin | None:
    return session.scalars(select(MonthlyBulletin).where(MonthlyBulletin.region_code == region_code,
                                                         MonthlyBulletin.month == month.first)
                           .execution_options(populate_existing=True)).first()


def headline(payload: dict) -> dict:
    needs, delivered, watch = payload["needs"]["total"], payload["delivered"]["total"], payload["watch"]
    return {"posted": needs["posted"], "claimed": needs["claimed"], "fulfilled": needs["fulfilled"],
            "expired": needs["expired"], "households": delivered["households"], "money_fen": delivered["money_fen"],
            "blind_spots": watch["blind_spots"], "unclaimed": watch["unclaimed"]}


def compute(session: Session, region_code: str, month: "Month | str", now: datetime | None = None) -> dict:
    """The payload of the division's bulletin for `month`; `now` decides what of a running month is counted."""
    month, now = Month.of(month), now or utcnow()
    region = bulletin_region(session, region_code)
    prefix = scope_prefix(region.code)
    started = time.perf_counter()
    aid = figures.aid(session, prefix, month)
    payload = {
        "version": VERSION, "region": region.code, "region_name": place_name(session, region), "level": region.level,
        "month": month.key, "first": month.first.isoformat(), "last": month.last.isoformat(),
        "as_of": figures.as_of(month, now).isoformat(), "complete": figures.as_of(month, now) >= month.end,
        "needs": figures.needs(session, prefix, month),
        "delivered": aid.delivered,
        "watch": {"blind_spots": figures.blind_spot_count(session, region.code, month, now),
                  "blind_spot_months": figures.BLIND_SPOT_MONTHS,
                  "unclaimed": figures.unclaimed_count(session, prefix, month, now),
                  "unclaimed_days": figures.UNCLAIMED_DAYS},
        "organizations": activity.organizations(session, prefix, month, aid.by_organization),
        "offers": activity.offers(session, prefix, month),
        "family_referrals": activity.family_referrals(session, prefix, month, now),
        "routing": activity.routing(session, prefix, month),
    }
    payload["headline"] = headline(payload)
    before = stored(session, region.code, month.previous)
    payload["previous"] = ({"month": month.previous.key, "generated_at": before.generated_at.isoformat(),
                            "headline": before.payload.get("headline", {})}
                           if before is not None and before.payload else None)
    payload["seconds"] = round(time.perf_counter() - started, 3)
    payload["generated_at"] = now.isoformat()
    return payload


def store(session: Session, region_code: str, month: "Month | str", payload: dict) -> MonthlyBulletin:
    """Insert or replace the division's bulletin for the month (an upsert: two workers generating at once
    never collide on the unique key). When it was mailed stays as it was."""
    month = Month.of(month)
    values = {"region_code": region_code, "month": month.first, "generated_at": datetime.fromisoformat(
        payload["generated_at"]), "seconds": payload["seconds"], "payload": payload}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(MonthlyBulletin).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["region_code", "month"],
        set_={name: statement.excluded[name] for name in ("generated_at", "seconds", "payload")}))
    session.flush()
    return stored(session, region_code, month)


def generate(session: Session, region_code: str, month: "Month | str", now: datetime | None = None
             ) -> MonthlyBulletin:
    """Compute and store the division's bulletin for `month` (flushes, never commits)."""
    return store(session, region_code, month, compute(session, region_code, month, now))


def generate_apart(engine, region_code: str, month: "Month | str", now: datetime | None = None) -> MonthlyBulletin:
    """`generate` for commands and the worker: counted through a read-only session, stored in a transaction of
    its own, so on SQLite the write lock is held for the upsert only, not for a city's seconds of counting."""
    with reading_session(engine) as reader:
        payload = compute(reader, region_code, month, now)
    with transaction(engine) as session:
        return store(session, region_code, month, payload)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MonthlyBulletin)) or 0
