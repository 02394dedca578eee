"""救助盲区: households in serious hardship that nobody has helped for months, and help that stalled
(needs nobody claimed, claims nobody started). All filtering happens in SQL, so the report stays fast with
hundreds of thousands of households."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..modelbase import utcnow
from ..needs.models import Need
from ..organizations.models import Organization
from ..registry.models import Household
from .filters import ReportFilters, code_range, in_scope_of, months_before

# One flag is enough, except 高龄 and 独居, which are serious only together (an old person living alone).
SERIOUS_FLAGS = ("重病", "重残", "失能", "留守儿童", "困境儿童", "孤儿")
SERIOUS_PAIRS = (("高龄", "独居"),)
UNCLAIMED_DAYS = 14


@dataclass(frozen=True)
class BlindSpot:
    public_code: str
    region_code: str
    tier: str
    hardships: list[str]
    last_aid: date | None


def has_flag(flag: str):
    """The JSON list contains `flag`. The column's text is matched in both spellings a JSON encoder may
    have used ("重病" or "\\u91cd\\u75c5"); quoting the value keeps 重病 from matching a longer flag."""
    text = cast(Household.hardships, String)
    plain = json.dumps(flag, ensure_ascii=False)
    escaped = json.dumps(flag)
    # "!" as the LIKE escape: PostgreSQL would otherwise read the backslashes of \\uXXXX as escapes.
    return or_(text.like(f"%{plain}%", escape="!"), text.like(f"%{escaped}%", escape="!"))


def serious_hardship():
    return or_(*(has_flag(f) for f in SERIOUS_FLAGS),
               *(and_(*(has_flag(f) for f in pair)) for pair in SERIOUS_PAIRS))


def _blind_spot_query(filters: ReportFilters):
    cutoff = months_before(filters.date_to, filters.months)
    # Aid that counts: a voided entry, or the void itself, is no help received (ledger/effective.py).
    aided = (select(LedgerEntry.id)
             .where(LedgerEntry.household_id == Household.id,
                    LedgerEntry.occurred_on > cutoff, LedgerEntry.occurred_on <= filters.date_to,
                    effective.is_effective()))
    return (select(Household.id, Household.public_code, Household.region_code, Household.tier,
                   Household.hardships)
            .where(Household.status == "active", in_scope_of(Household.region_code, filters.prefix),
                   # Many households have no flag at all: one comparison spares them the LIKEs.
                   cast(Household.hardships, String) != "[]", serious_hardship(), ~exists(aided)))


def blind_spots(session: Session, filters: ReportFilters, *, per_page: int | None = 50
                ) -> tuple[list[BlindSpot], int]:
    """Active households with a serious hardship flag and no effective chain entry of any kind in the
    `months` before the period's end; a page of them (all with per_page=None) and the total."""
    # The total rides along as a window count, so the households are filtered once, not twice.
    query = (_blind_spot_query(filters).add_columns(func.count().over().label("total"))
             .order_by(Household.region_code, Household.public_code))
    if per_page:
        query = query.offset((filters.page - 1) * per_page).limit(per_page)
    rows = session.execute(query).all()
    if rows:
        total = rows[0].total
    else:  # a page past the end says nothing about the total
        total = session.scalar(select(func.count()).select_from(_blind_spot_query(filters).subquery()))
    last = _last_aid(session, [row.id for row in rows])
    return [BlindSpot(r.public_code, r.region_code, r.tier, list(r.hardships or []), last.get(r.id))
            for r in rows], total


def iter_blind_spots(session: Session, filters: ReportFilters, chunk: int = 2000):
    """Every blind spot, for downloads: one streamed query (filtering again per page would repeat the
    whole scan), with the last-aid dates looked up a chunk at a time."""
    query = _blind_spot_query(filters).order_by(Household.region_code, Household.public_code)
    result = session.connection().execute(query.execution_options(yield_per=chunk, stream_results=True))
    for rows in result.partitions():
        last = _last_aid(session, [row.id for row in rows])
        for r in rows:
            yield BlindSpot(r.public_code, r.region_code, r.tier, list(r.hardships or []), last.get(r.id))


def _last_aid(session: Session, household_ids: list[int]) -> dict[int, date]:
    """The date of each household's latest effective entry ever, so staff see how long the gap is."""
    if not household_ids:
        return {}
    # Newest first down the (household_id, occurred_on) index, stopping at the first entry that counts: a
    # MAX over the effective entries would test every entry of the chain for a correction.
    latest = (select(LedgerEntry.occurred_on)
              .where(LedgerEntry.household_id == Household.id, effective.is_effective())
              .order_by(LedgerEntry.occurred_on.desc()).limit(1).correlate(Household).scalar_subquery())
    query = select(Household.id, latest).where(Household.id.in_(household_ids))
    return {household: day for household, day in session.execute(query) if day is not None}


@dataclass(frozen=True)
class StalledNeed:
    need_id: int
    public_code: str
    region_code: str
    tier: str
    category: str
    title: str
    published_at: datetime
    days: int


def unclaimed_needs(session: Session, filters: ReportFilters, *, now: datetime | None = None,
                    limit: int | None = None) -> tuple[list[StalledNeed], int]:
    """Open needs published more than UNCLAIMED_DAYS days ago that nobody has claimed."""
    now = now or utcnow()
    cutoff = now - timedelta(days=UNCLAIMED_DAYS)
    query = (select(Need.id, Household.public_code, Need.region_code, Household.tier, Need.category, Need.title,
                    Need.published_at)
             .join(Household, Household.id == Need.household_id)
             .where(Need.status == "open", Need.published_at < cutoff,
                    code_range(Need.region_code, filters.prefix)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Need.published_at, Need.id)
    if limit:
        query = query.limit(limit)
    rows = [StalledNeed(*row, days=(now - _aware(row.published_at)).days) for row in session.execute(query)]
    return rows, total


@dataclass(frozen=True)
class LapsedClaim:
    need_id: int
    public_code: str
    region_code: str
    category: str
    title: str
    claimant: str
    organization: str | None
    claimed_at: datetime
    expires_at: datetime
    status: str
    claimant_id: int  # snapshots keep the id, not the name, and look the name up when read


def lapsed_claims(session: Session, filters: ReportFilters, *, now: datetime | None = None,
                  limit: int | None = None) -> tuple[list[LapsedClaim], int]:
    """Claims never started before their deadline: released as expired by the worker, or still active
    past expires_at (the worker has not run yet). Limited to deadlines inside the period."""
    now = now or utcnow()
    start = datetime.combine(filters.date_from, datetime.min.time()).replace(tzinfo=now.tzinfo)
    end = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time()).replace(tzinfo=now.tzinfo)
    query = (select(Need.id, Household.public_code, Need.region_code, Need.category, Need.title,
                    AppUser.display_name, Organization.name, Claim.claimed_at, Claim.expires_at, Claim.status,
                    Claim.claimant_id)
             .join(Need, Need.id == Claim.need_id).join(Household, Household.id == Need.household_id)
             .join(AppUser, AppUser.id == Claim.claimant_id)
             .outerjoin(Organization, Organization.id == Claim.organization_id)
             .where(or_(Claim.status == "expired", and_(Claim.status == "active", Claim.expires_at < now)),
                    Claim.started_at.is_(None), Claim.expires_at >= start, Claim.expires_at < end,
                    code_range(Need.region_code, filters.prefix)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Claim.expires_at.desc(), Claim.id)
    if limit:
        query = query.limit(limit)
    return [LapsedClaim(*row) for row in session.execute(query)], total


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
