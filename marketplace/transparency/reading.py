"""The rows behind the public figures, read once per refresh and bucketed by (place, category), so every
scope and category filter is then built from buckets in memory instead of counting the database again.

A place here is the region code a row carries (a need's or a chain entry's township, a household's own
region). A bucket keeps, per measure and month, the figure and the set of households it stands for:
distinct households of a scope are the union of its buckets' sets (a household may have moved, so sums of
distinct counts are not trusted). One statement per kind of row, each a scan or an index walk on SQLite
and PostgreSQL, months and whole days counted by the database: published needs with their first steps,
effective chain entries in the window (ledger/effective.py), verified evidence in the window, flagged
active households, where households are registered, and the ids of volunteers and approved organisations."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, String, and_, case, cast, func, or_, select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..fulfilment.models import Fulfilment
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs.models import Need, NeedHistory
from ..organizations.models import Organization
from ..registry.models import Household
from ..reports.blind_spots import serious_hardship
from ..vocabulary import CATEGORIES
from .labels import DELIVERY_SOURCES
from .window import Window

SOURCES = tuple(DELIVERY_SOURCES)  # government, charity, volunteer, purchase
EVENTS = ("posted", "claimed", "fulfilled", "expired")
DAYS = ("days_to_claim", "days_to_verify")
AID = ("entries", "money", "goods", "hours")  # an aid record's figures, in order (money in fen until shown)
_BATCH = 20_000

@dataclass
class Buckets:
    window: Window
    needs: dict = field(default_factory=lambda: defaultdict(dict))  # (place, category) -> {(event|days, m): cell}
    # (place, category) -> {(source, m): [entries, fen, quantity, hours, households, ... with money, goods, hours]}
    aid: dict = field(default_factory=lambda: defaultdict(dict))
    active: dict = field(default_factory=dict)  # (place, category) -> (organisation ids, volunteer ids)
    flagged: dict = field(default_factory=dict)  # household's place -> [flagged, reached]
    registered: set = field(default_factory=set)  # places where households are registered
    volunteers: set = field(default_factory=set)  # volunteer accounts' ids
    approved: set = field(default_factory=set)  # approved organisations' ids

    @property
    def places(self) -> set[str]:
        """Every place with a figure or a registered household."""
        return ({place for place, _ in self.needs} | {place for place, _ in self.aid}
                | {place for place, _ in self.active} | set(self.flagged) | self.registered)


def _add(cells: dict, key, value, household: int) -> None:
    cell = cells.get(key)
    if cell is None:
        cells[key] = [value, {household}]
    else:
        cell[0] += value
        cell[1].add(household)


def _category(code: str) -> str:
    return code if code in CATEGORIES else "other"


def _first_step(status: str):
    """When the need first stepped into `status` (a note repeating the status is no step), per need."""
    step = and_(NeedHistory.to_status == status,
                or_(NeedHistory.from_status.is_(None), NeedHistory.from_status != status))
    return func.min(case((step, NeedHistory.at)))


def _stream(session: Session, query):
    """The rows in batches, as plain Core rows (no ORM row processing: a city has a million of them)."""
    return session.connection().execute(query.execution_options(yield_per=_BATCH, stream_results=True)).partitions()


def read(session: Session, window: Window) -> Buckets:
    buckets = Buckets(window)
    _needs(session, buckets)
    reached = _aid(session, buckets)
    _evidence(session, buckets)
    _flagged(session, buckets, reached)
    buckets.registered = set(session.scalars(select(Household.region_code).distinct()))
    return buckets


def _needs(session: Session, buckets: Buckets) -> None:
    """Published needs with a step in the window: published, first claimed, first verified, first expired;
    the whole days from publication to the first claim and to verification go with the step's month."""
    window = buckets.window
    steps = (select(NeedHistory.need_id, _first_step("claimed").label("claimed"),
                    _first_step("verified").label("verified"), _first_step("expired").label("expired"))
             .where(NeedHistory.to_status.in_(("claimed", "verified", "expired")))
             .group_by(NeedHistory.need_id).subquery())
    published, claimed, verified = Need.published_at, steps.c.claimed, steps.c.verified
    dialect = session.get_bind().dialect.name
    query = (select(Need.household_id, Need.region_code, Need.category,
                    *(window.month_sql(at) for at in (published, claimed, verified, steps.c.expired)),
                    _whole_days(claimed, published, dialect), _whole_days(verified, published, dialect))
             .outerjoin(steps, steps.c.need_id == Need.id)
             .where(published.is_not(None),
                    or_(published >= window.start, claimed >= window.start, verified >= window.start,
                        steps.c.expired >= window.start)))
    needs = buckets.needs
    for rows in _stream(session, query):
        for household, place, category, *months, to_claim, to_verify in rows:
            cells = needs[(place, _category(category))]
            for event, m in zip(EVENTS, months, strict=True):
                if m is not None:
                    _add(cells, (event, m), 1, household)
            for measure, m, days in (("days_to_claim", months[1], to_claim), ("days_to_verify", months[2], to_verify)):
                if m is None:
                    continue
                cell = cells.get((measure, m))
                if cell is None:
                    cells[(measure, m)] = [[days], {household}]
                else:
                    cell[0].append(days)
                    cell[1].add(household)


def _whole_days(later, earlier, dialect: str):
    """SQL: whole days from `earlier` to `later` (floored, as bulletins/figures.py counts them)."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", later - earlier) / 86400), Integer)
    # SQLite keeps UTC text; julianday() reads it. Milliseconds as an integer first, so that 2 days exactly
    # does not come out as 1.99999 days.
    milliseconds = cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000), Integer)
    return milliseconds // 86_400_000


def _aid(session: Session, buckets: Buckets) -> set[int]:
    """Effective chain entries that occurred in the window, by who delivered them: the ledger's source,
    except a purchased service (funding "purchase", purchases/funding.py; entries older than funding are
    never one) is its own. Returns the households reached in the last REACH_MONTHS months."""
    window = buckets.window
    volunteers = set(session.scalars(select(AppUser.id).where(AppUser.role == "volunteer")))
    approved = set(session.scalars(select(Organization.id).where(Organization.status == "approved")))
    day = LedgerEntry.occurred_on
    query = (select(LedgerEntry.household_id, LedgerEntry.region_code, LedgerEntry.category,
                    case((LedgerEntry.funding == "purchase", "purchase"), else_=LedgerEntry.source),
                    LedgerEntry.amount_fen, LedgerEntry.quantity, LedgerEntry.hours, window.month_sql(day, dates=True),
                    window.reaches_sql(day), LedgerEntry.organization_id, LedgerEntry.recorded_by_id)
             .where(day >= window.first_day, day < window.end_day, effective.is_effective()))
    reached = set()
    aid, active = buckets.aid, buckets.active
    for rows in _stream(session, query):
        for household, place, category, source, fen, quantity, hours, m, reaches, org, recorder in rows:
            if reaches:
                reached.add(household)
            key = (place, category if category in CATEGORIES else "other")
            cells = aid[key]
            # One record per source and month (a city reads a million entries: one lookup each, not four).
            record = cells.get((source, m))
            if record is None:
                record = cells[(source, m)] = [0, 0, 0, 0.0, set(), set(), set(), set()]
            record[0] += 1
            record[4].add(household)
            if fen:
                record[1] += fen
                record[5].add(household)
            if quantity:
                record[2] += quantity
                record[6].add(household)
            if hours:
                record[3] += hours
                record[7].add(household)
            if org in approved or recorder in volunteers:
                orgs, people = active.setdefault(key, (set(), set()))
                if org in approved:
                    orgs.add(org)
                if recorder in volunteers:
                    people.add(recorder)
    buckets.volunteers, buckets.approved = volunteers, approved
    return reached


def _evidence(session: Session, buckets: Buckets) -> None:
    """Verified evidence delivered in the window also makes an organisation or a volunteer active there
    (its chain entry may have been corrected by staff since, or voided)."""
    window = buckets.window
    query = (select(Fulfilment.submitted_by_id, Claim.organization_id, Need.region_code, Need.category)
             .join(Claim, Claim.id == Fulfilment.claim_id).join(Need, Need.id == Fulfilment.need_id)
             .where(Fulfilment.status == "verified", Fulfilment.delivered_on >= window.first_day,
                    Fulfilment.delivered_on < window.end_day))
    for person, org, place, category in session.execute(query):
        if org in buckets.approved or person in buckets.volunteers:
            orgs, people = buckets.active.setdefault((place, _category(category)), (set(), set()))
            if org in buckets.approved:
                orgs.add(org)
            if person in buckets.volunteers:
                people.add(person)


def _flagged(session: Session, buckets: Buckets, reached: set[int]) -> None:
    """Active households in serious hardship (reports/blind_spots.py), by their own place, and how many of
    them an effective entry reached in the last REACH_MONTHS months."""
    query = (select(Household.id, Household.region_code)
             .where(Household.status == "active", cast(Household.hardships, String) != "[]", serious_hardship()))
    for rows in _stream(session, query):
        for household, place in rows:
            counts = buckets.flagged.setdefault(place, [0, 0])
            counts[0] += 1
            counts[1] += household in reached
