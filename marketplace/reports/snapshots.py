"""Report sections precomputed by the worker (report_snapshot rows), for the scopes where the live queries
take about a second or more: the default filters of every prefecture, province and county that some staff
account's scope covers. Townships and custom filters stay live (a township answers in about 0.25 s).

A section is stored as a list of rows in the live functions' order, cut into parts of CHUNK rows: a head
row (params_key = the filters' key) holds the total and the number of parts, and each part is a row of its
own (key + "&part=0001"), so a page of the blind-spot list reads one part, not all of a city's. Rows hold
what the live report shows and nothing else; lapsed claims keep the claimant's account id, not the name.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..auth.access import scope_prefix
from ..auth.models import AppUser
from ..dashboard import places, trend
from ..db import engine_of, reading_session, transaction
from ..modelbase import utcnow
from ..regions.models import Region
from ..registry.models import Household
from ..routing import sources
from . import blind_spots, cliff, coverage
from .filters import ReportFilters, code_range
from .models import ReportSnapshot

log = logging.getLogger(__name__)

CHUNK = 1000
DEFAULT_MINUTES = 10
_PG_LOCK = 0x5348_5251  # "SHRQ": one refreshing worker at a time on PostgreSQL


def _iso(value):
    return value.isoformat() if value is not None else None


def _datetime(value):
    return datetime.fromisoformat(value) if value is not None else None


def _date(value):
    return date.fromisoformat(value) if value is not None else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _claimants(session: Session, rows: list[list], now: datetime) -> list[blind_spots.LapsedClaim]:
    ids = {row[5] for row in rows}
    names = dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(ids))).all()) if ids else {}
    return [blind_spots.LapsedClaim(r[0], r[1], r[2], r[3], r[4], names.get(r[5], ""), r[6], _datetime(r[7]),
                                    _datetime(r[8]), r[9], r[5]) for r in rows]


@dataclass(frozen=True)
class Section:
    compute: Callable[[Session, ReportFilters, datetime], Iterable]  # every row, in the page's order
    encode: Callable[[object], list]
    decode: Callable[[Session, list[list], datetime], list]  # `now`: the reader's time


SECTIONS = {
    "blind_spots": Section(
        lambda s, f, now: blind_spots.iter_blind_spots(s, f),
        lambda b: [b.public_code, b.region_code, b.tier, b.hardships, _iso(b.last_aid)],
        lambda s, rows, now: [blind_spots.BlindSpot(r[0], r[1], r[2], list(r[3]), _date(r[4])) for r in rows]),
    "unclaimed": Section(
        lambda s, f, now: blind_spots.unclaimed_needs(s, f, now=now)[0],
        lambda n: [n.need_id, n.public_code, n.region_code, n.tier, n.category, n.title, _iso(n.published_at), n.days],
        # Days waited run on from the publication date, as the live list counts them.
        lambda s, rows, now: [blind_spots.StalledNeed(*r[:6], published, (now - _aware(published)).days)
                              for r in rows for published in [_datetime(r[6])]]),
    "lapsed": Section(
        lambda s, f, now: blind_spots.lapsed_claims(s, f, now=now)[0],
        lambda c: [c.need_id, c.public_code, c.region_code, c.category, c.title, c.claimant_id, c.organization,
                   _iso(c.claimed_at), _iso(c.expires_at), c.status],
        _claimants),
    "cliff": Section(
        lambda s, f, now: cliff.aid_by_tier(s, f),
        lambda t: [t.tier, t.households, t.entries, t.amount_fen, t.hours, [list(f) for f in t.by_funding]],
        # A row stored before the funding breakdown has five fields: it reads with none.
        lambda s, rows, now: [cliff.TierAid(*r[:5], tuple(tuple(f) for f in (r[5] if len(r) > 5 else ())))
                              for r in rows]),
    "who_what_where": Section(
        lambda s, f, now: coverage.who_does_what_where(s, f),
        lambda c: [c.source, c.organization, c.category, c.township, c.entries, c.households, c.amount_fen, c.hours,
                   c.funding],
        lambda s, rows, now: [coverage.Coverage(*r) for r in rows]),
    # 需求来源 (routing/sources.py): two GROUP BYs over a city's needs of the period take most of a second.
    "sources": Section(
        lambda s, f, now: sources.for_filters(s, f),
        lambda r: [r.source, r.needs, r.routed],
        lambda s, rows, now: [sources.SourceRow(*r) for r in rows]),
    # The 工作台's trend (dashboard/trend.py): needs posted and verified in each of the last 12 months.
    "trend": Section(
        lambda s, f, now: trend.monthly(s, f.prefix, now),
        lambda m: [m.month, m.posted, m.verified],
        lambda s, rows, now: [trend.Month(*r) for r in rows]),
    # The 工作台's figures for each township of a county (dashboard/places.py; empty for wider scopes), so a
    # township clerk's dashboard reads a row instead of counting live.
    "townships": Section(
        lambda s, f, now: places.townships(s, f, now),
        places.encode,
        lambda s, rows, now: [places.decode(r) for r in rows]),
}


def params_key(filters: ReportFilters) -> str:
    """The filters as a canonical query string (the page number is not part of it)."""
    return urlencode(sorted(filters.args().items()))


def _part_key(key: str, number: int) -> str:
    return f"{key}&part={number:04d}"


def _parts_of(key: str):
    """Every part row of `key`: '>' is the character after '=', so this is the range of key&part=…"""
    return and_(ReportSnapshot.params_key >= _part_key(key, 0), ReportSnapshot.params_key < f"{key}&part>")


def compute(session: Session, filters: ReportFilters, section: str, now: datetime) -> tuple[list[list], float]:
    """One section for `filters`, as stored rows, and the seconds it took."""
    spec = SECTIONS[section]
    started = time.perf_counter()
    rows = [spec.encode(row) for row in spec.compute(session, filters, now)]
    return rows, time.perf_counter() - started


def store(session: Session, filters: ReportFilters, section: str, rows: list[list], computed_at: datetime,
          seconds: float) -> None:
    """Insert or replace the section's snapshot: the head, its parts, and no parts left over from a longer
    list. Upserts, so two workers refreshing at once never collide on the unique key."""
    key = params_key(filters)
    chunks = [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]
    common = {"section": section, "scope_code": filters.region, "computed_at": computed_at}
    values = [{**common, "params_key": key, "seconds": seconds,
               "payload": {"total": len(rows), "chunk": CHUNK, "parts": len(chunks)}}]
    values += [{**common, "params_key": _part_key(key, n), "seconds": 0.0, "payload": {"rows": chunk}}
               for n, chunk in enumerate(chunks)]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(values), 20):
        statement = dialect.insert(ReportSnapshot).values(values[start:start + 20])
        session.execute(statement.on_conflict_do_update(
            index_elements=["section", "scope_code", "params_key"],
            set_={name: statement.excluded[name] for name in ("computed_at", "seconds", "payload")}))
    session.execute(delete(ReportSnapshot).where(
        ReportSnapshot.section == section, ReportSnapshot.scope_code == filters.region,
        _parts_of(key), ReportSnapshot.params_key >= _part_key(key, len(chunks))))


def refresh(session: Session, filters: ReportFilters, now: datetime) -> float:
    """Compute every section for `filters` and store it, now; returns the seconds spent counting."""
    total = 0.0
    for section in SECTIONS:
        rows, seconds = compute(session, filters, section, now)
        store(session, filters, section, rows, now, seconds)
        total += seconds
    session.flush()
    return total


@dataclass(frozen=True)
class Stored:
    computed_at: datetime
    total: int
    rows: list  # decoded, the slice asked for


def read(session: Session, filters: ReportFilters, section: str, *, now: datetime, max_age: timedelta,
         start: int = 0, stop: int | None = None) -> Stored | None:
    """Rows [start, stop) of the section's snapshot (all with stop=None) and its total, or None when there is
    none at most `max_age` old. Head and parts come in one statement: one consistent version."""
    key = params_key(filters)
    if stop is None:
        wanted = or_(ReportSnapshot.params_key == key, _parts_of(key))
    else:
        numbers = range(start // CHUNK, (stop - 1) // CHUNK + 1) if stop > start else range(0)
        wanted = ReportSnapshot.params_key.in_([key, *(_part_key(key, n) for n in numbers)])
    found = session.execute(
        select(ReportSnapshot.params_key, ReportSnapshot.computed_at, ReportSnapshot.payload)
        .where(ReportSnapshot.section == section, ReportSnapshot.scope_code == filters.region, wanted)
        .order_by(ReportSnapshot.params_key)).all()
    if not found or found[0].params_key != key:
        return None
    head = found[0]
    if _aware(head.computed_at) < now - max_age or head.payload.get("chunk") != CHUNK:
        return None
    total, parts = head.payload["total"], found[1:]
    first = start // CHUNK
    expected = [_part_key(key, n) for n in range(first, first + len(parts))]
    last = min(head.payload["parts"], (stop - 1) // CHUNK + 1 if stop is not None else head.payload["parts"])
    if [p.params_key for p in parts] != expected or first + len(parts) < last \
            or any(p.computed_at != head.computed_at for p in parts):
        return None  # never a mix of versions or a list with a hole
    rows = [row for part in parts for row in part.payload["rows"]]
    offset = start - first * CHUNK
    rows = rows[offset:None if stop is None else offset + stop - start]
    return Stored(_aware(head.computed_at), total, SECTIONS[section].decode(session, rows, now))


def targets(session: Session, today: date) -> list[ReportFilters]:
    """The default filters of each active staff account's own region at county level or above, and of
    every prefecture and county inside such a region, where households are registered (the national
    table lists thousands of places with none)."""
    staff = session.scalars(select(AppUser.region_code).distinct()
                            .where(AppUser.role == "staff", AppUser.is_active, AppUser.region_code.is_not(None)))
    regions = {code for code in staff if len(scope_prefix(code)) <= 6}
    broad = {scope_prefix(code) for code in regions if len(scope_prefix(code)) < 6}
    if broad:
        regions |= set(session.scalars(select(Region.code).where(
            Region.level.in_(("prefecture", "county")), or_(*(code_range(Region.code, p) for p in broad)))))
    populated = [code for code in sorted(regions)
                 if session.scalar(select(exists().where(code_range(Household.region_code, scope_prefix(code)))))]
    return [ReportFilters.default(code, today) for code in populated]


def refresh_due(session: Session, now: datetime | None = None, *, minutes: int = DEFAULT_MINUTES,
                today: date | None = None, force: bool = False, budget: float = 120.0
                ) -> list[tuple[str, float]]:
    """The worker's round: refresh each target whose snapshot is missing or `minutes` old (all with force),
    oldest first, until `budget` seconds are spent; delete snapshots older than twice `minutes`, which no
    page uses any more. Returns (region, seconds) of what was refreshed. Call it in a transaction of its
    own: the figures are read through a separate read-only session, so on SQLite the write lock is held
    for the writes at the end only, not for the seconds of counting."""
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(_PG_LOCK))):
        return []  # another worker is refreshing them
    computed = []
    with reading_session(session.get_bind()) as reader:
        wanted = targets(reader, today or date.today())
        ages = _oldest_sections(reader, wanted)
        due = [f for f in wanted if force or ages.get(f.region) is None or ages[f.region] <= now - timedelta(minutes=minutes)]
        due.sort(key=lambda f: ages.get(f.region) or datetime.min.replace(tzinfo=UTC))
        started = time.perf_counter()
        for filters in due:
            if computed and time.perf_counter() - started > budget:
                break  # the rest next round: the worker has mail and search updates to deliver too
            # Held as JSON text until written: a city's rows as Python lists would take ~90 MB.
            computed.append((filters, {s: _packed(*compute(reader, filters, s, now)) for s in SECTIONS}))
    for filters, sections in computed:
        for section, (text, seconds) in sections.items():
            store(session, filters, section, json.loads(text), now, seconds)
    session.execute(delete(ReportSnapshot).where(ReportSnapshot.computed_at < now - timedelta(minutes=2 * minutes)))
    session.flush()
    return [(f.region, sum(seconds for _, seconds in sections.values())) for f, sections in computed]


def _packed(rows: list[list], seconds: float) -> tuple[str, float]:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")), seconds


def _oldest_sections(session: Session, wanted: list[ReportFilters]) -> dict[str, datetime | None]:
    """Per target region, when its least recent section was computed (None if a section is missing)."""
    keys = {f.region: params_key(f) for f in wanted}
    if not keys:
        return {}
    heads = session.execute(select(ReportSnapshot.scope_code, ReportSnapshot.params_key, ReportSnapshot.section,
                                   ReportSnapshot.computed_at)
                            .where(ReportSnapshot.scope_code.in_(keys), ReportSnapshot.params_key.in_(keys.values())))
    found: dict[str, dict[str, datetime]] = {}
    for scope, key, section, at in heads:
        if keys[scope] == key:
            found.setdefault(scope, {})[section] = _aware(at)
    return {scope: min(s.values()) if len(s) == len(SECTIONS) else None for scope, s in found.items()}


def refresh_for_worker(app) -> list[tuple[str, float]]:
    """The worker's call: in its own transaction, and never fatal to the worker (the page counts live
    while the snapshots are missing or stale; mail and search updates must go on)."""
    minutes = app.config["REPORT_REFRESH_MINUTES"]
    if minutes <= 0:
        return []
    try:
        with transaction(engine_of(app)) as session:
            return refresh_due(session, minutes=minutes)
    except Exception:
        log.exception("report snapshots were not refreshed")
        return []
