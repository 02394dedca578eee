"""综合评估 figures kept in the transactions that change them (evaluation/models.py): the review of a claim's
or a pledge's evidence (fulfilment/service.py, pledges/review.py) and a follow-up visit
(confirmation/service.py), each adding to the row of (organisation, the need's region).

Concurrent reviews of one organisation's evidence in one region must add up, never overwrite. The row is
created with INSERT … ON CONFLICT DO NOTHING (both dialects), then the counters move in one UPDATE … SET
x = x + n, which also takes the row lock on PostgreSQL (SQLite's immediate transactions already let one
writer at a time); the histogram of days is then read under that lock and written back as a new dict. So
no second writer can slip in between the read and the write, with no dialect-specific JSON functions.

`recount` rebuilds every row from the evidence, pledges and follow-ups with the same rules (`Review`), for
the test that compares it with the maintained rows and for deployments that had reviews before the table
existed (`marketplace evaluation recount`, and `db upgrade` when the table is empty)."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..claims.models import Claim
from ..confirmation.models import FollowUp
from ..fulfilment.models import Fulfilment
from ..modelbase import utcnow
from ..needs.models import Need
from ..pledges.models import Pledge
from .models import EvaluationTally

VOLUNTEERS = 0  # organization_id of volunteers acting without an organisation
LOCAL = timezone(timedelta(hours=8), "CST")  # a need's deadline is a date on China's calendar
COUNTERS = ("verified", "rejected", "confirmed", "on_time", "followups", "satisfaction_sum", "satisfaction_count")
_TABLE = EvaluationTally.__table__


def aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes are UTC; rows read back by an older driver may come naive."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def organization_key(organization_id: int | None) -> int:
    return VOLUNTEERS if organization_id is None else organization_id


def is_confirmed(confirmation: str | None) -> bool:
    """Confirmed by the household (code, signed slip, visit); "none" and evidence verified before
    confirmations existed (NULL) are not."""
    return confirmation not in (None, "", "none")


def is_on_time(submitted_at: datetime | None, deadline: date | None) -> bool:
    """Evidence submitted on or before the need's deadline, by the local calendar day of submission."""
    if submitted_at is None or deadline is None:
        return False
    return aware(submitted_at).astimezone(LOCAL).date() <= deadline


def whole_days(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, (aware(end) - aware(start)) // timedelta(days=1))


@dataclass(frozen=True)
class Review:
    """What one review adds to its row: the one rule both the maintained path and the recount apply."""

    outcome: str  # verified | rejected
    confirmation: str | None
    claimed_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    deadline: date | None

    def counts(self) -> Counter:
        if self.outcome == "rejected":
            return Counter(rejected=1)
        if self.outcome != "verified":
            raise ValueError(f"unknown review outcome {self.outcome!r}")
        return Counter(verified=1, confirmed=int(is_confirmed(self.confirmation)),
                       on_time=int(is_on_time(self.submitted_at, self.deadline)))

    def day(self) -> int | None:
        return whole_days(self.claimed_at, self.reviewed_at) if self.outcome == "verified" else None


def follow_up_counts(satisfaction: int | None) -> Counter:
    counts = Counter(followups=1)
    if satisfaction is not None:
        counts.update(satisfaction_sum=satisfaction, satisfaction_count=1)
    return counts


def on_reviewed(session: Session, need, *, organization_id: int | None, claimed_at: datetime,
                submitted_at: datetime | None, outcome: str, confirmation: str | None) -> None:
    """Evidence of a claim or pledge was verified (outcome "verified") or rejected ("rejected"), now."""
    review = Review(outcome, confirmation, claimed_at, submitted_at, utcnow(), need.deadline)
    _add(session, organization_key(organization_id), need.region_code, review.counts(), review.day())


def on_follow_up(session: Session, need, follow_up) -> None:
    """A follow-up visit was recorded: it counts for the organisation whose aid it asked about."""
    organization_id = follow_up.organization_id
    if organization_id is None:
        organization_id = _helper_of(session, follow_up.claim_id, follow_up.pledge_id)
    _add(session, organization_key(organization_id), need.region_code, follow_up_counts(follow_up.satisfaction))


def _helper_of(session: Session, claim_id: int | None, pledge_id: int | None) -> int | None:
    if pledge_id is not None:
        return session.scalar(select(Pledge.organization_id).where(Pledge.id == pledge_id))
    if claim_id is not None:
        return session.scalar(select(Claim.organization_id).where(Claim.id == claim_id))
    return None


def _add(session: Session, organization_id: int, region_code: str, counts: Counter, day: int | None = None) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(_TABLE).values(organization_id=organization_id, region_code=region_code,
                                                  days={}, **dict.fromkeys(COUNTERS, 0))
                    .on_conflict_do_nothing(index_elements=[_TABLE.c.organization_id, _TABLE.c.region_code]))
    row = (_TABLE.c.organization_id == organization_id) & (_TABLE.c.region_code == region_code)
    moved = {name: _TABLE.c[name] + n for name, n in counts.items() if n}
    session.execute(update(_TABLE).where(row).values(moved))  # never empty: a review or a visit counts
    if day is not None:  # read under the lock the UPDATE took
        days = dict(session.scalar(select(_TABLE.c.days).where(row)) or {})
        days[str(day)] = days.get(str(day), 0) + 1
        session.execute(update(_TABLE).where(row).values(days=days))


def recount(session: Session) -> int:
    """Rebuild every row from the reviews and follow-ups (one pass over each); the number of rows."""
    counts: dict[tuple[int, str], Counter] = defaultdict(Counter)
    days: dict[tuple[int, str], Counter] = defaultdict(Counter)
    reviewed = ("verified", "rejected")
    claims = (select(Claim.organization_id, Need.region_code, Fulfilment.status, Fulfilment.confirmation,
                     Claim.claimed_at, Fulfilment.submitted_at, Fulfilment.reviewed_at, Need.deadline)
              .join(Claim, Claim.id == Fulfilment.claim_id).join(Need, Need.id == Fulfilment.need_id)
              .where(Fulfilment.status.in_(reviewed)))
    pledges = (select(Pledge.organization_id, Need.region_code, Pledge.status, Pledge.confirmation,
                      Pledge.pledged_at, Pledge.submitted_at, Pledge.reviewed_at, Need.deadline)
               .join(Need, Need.id == Pledge.need_id)
               .where(Pledge.status.in_(reviewed), Pledge.reviewed_at.is_not(None)))
    for query in (claims, pledges):
        for org, region, *facts in session.execute(query.execution_options(yield_per=1000)):
            review = Review(*facts)
            key = (organization_key(org), region)
            counts[key].update(review.counts())
            if (day := review.day()) is not None:
                days[key][str(day)] += 1
    helper = func.coalesce(FollowUp.organization_id, Pledge.organization_id, Claim.organization_id)
    follow_ups = (select(helper, Need.region_code, FollowUp.satisfaction)
                  .join(Need, Need.id == FollowUp.need_id)
                  .outerjoin(Claim, Claim.id == FollowUp.claim_id).outerjoin(Pledge, Pledge.id == FollowUp.pledge_id))
    for org, region, satisfaction in session.execute(follow_ups.execution_options(yield_per=1000)):
        counts[(organization_key(org), region)].update(follow_up_counts(satisfaction))
    session.execute(delete(EvaluationTally))
    rows = [{"organization_id": org, "region_code": region, "days": dict(days[(org, region)]),
             **{name: counts[(org, region)][name] for name in COUNTERS}} for org, region in sorted(counts)]
    if rows:
        session.execute(insert(_TABLE), rows)
    session.flush()
    return len(rows)


def recount_if_empty(session: Session) -> bool:
    """Fill the table when it is empty but reviewed evidence exists (a deployment upgraded with data)."""
    if session.scalar(select(_TABLE.c.id).limit(1)) is not None:
        return False
    if session.scalar(select(Fulfilment.id).where(Fulfilment.status.in_(("verified", "rejected"))).limit(1)) \
            is None and session.scalar(select(Pledge.id).where(Pledge.reviewed_at.is_not(None)).limit(1)) is None:
        return False
    recount(session)
    return True
