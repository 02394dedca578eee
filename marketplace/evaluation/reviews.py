"""The list under an organisation's 综合评估 figures: its reviewed evidence (claims' and pledges') on needs
inside the staff member's region subtree, newest review first, a page at a time, each row with the facts
the figures count (evaluation/tally.py's rules, so the list and the figures agree)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, literal_column, select, union_all
from sqlmodel import Session

from .. import paging
from ..auth.access import within_sql
from ..claims.models import Claim
from ..confirmation.models import FollowUp
from ..fulfilment.models import Fulfilment
from ..needs.models import Need
from ..paging import Page, PageRequest
from ..pledges.models import Pledge
from .tally import LOCAL, VOLUNTEERS, Review, aware, is_confirmed

REVIEWED = ("verified", "rejected")


@dataclass(frozen=True)
class ReviewedEvidence:
    kind: str  # claim | pledge
    need_id: int
    title: str
    claimed_on: date
    submitted_on: date | None
    reviewed_on: date | None
    status: str  # verified | rejected
    days: int | None  # claim to verification
    on_time: bool | None  # None for rejected evidence
    confirmation: str | None
    confirmed: bool
    reason: str | None  # why it was rejected
    satisfactions: list[int]  # of the follow-up visits about this claim or pledge


def _claims(organization_id: int, region_code: str | None):
    org = Claim.organization_id.is_(None) if organization_id == VOLUNTEERS else Claim.organization_id == organization_id
    return (select(literal_column("'claim'", String).label("kind"), Fulfilment.id.label("id"), Claim.id.label("subject_id"),
                   Need.id.label("need_id"), Need.title.label("title"), Need.deadline.label("deadline"),
                   Claim.claimed_at.label("claimed_at"), Fulfilment.submitted_at.label("submitted_at"),
                   Fulfilment.reviewed_at.label("reviewed_at"), Fulfilment.status.label("status"),
                   Fulfilment.confirmation.label("confirmation"), Fulfilment.review_reason.label("reason"))
            .join(Claim, Claim.id == Fulfilment.claim_id).join(Need, Need.id == Fulfilment.need_id)
            .where(Fulfilment.status.in_(REVIEWED), org, within_sql(Need.region_code, region_code)))


def _pledges(organization_id: int, region_code: str | None):
    return (select(literal_column("'pledge'", String).label("kind"), Pledge.id.label("id"), Pledge.id.label("subject_id"),
                   Need.id.label("need_id"), Need.title.label("title"), Need.deadline.label("deadline"),
                   Pledge.pledged_at.label("claimed_at"), Pledge.submitted_at.label("submitted_at"),
                   Pledge.reviewed_at.label("reviewed_at"), Pledge.status.label("status"),
                   Pledge.confirmation.label("confirmation"), Pledge.end_reason.label("reason"))
            .join(Need, Need.id == Pledge.need_id)
            .where(Pledge.status.in_(REVIEWED), Pledge.reviewed_at.is_not(None),
                   Pledge.organization_id == organization_id, within_sql(Need.region_code, region_code)))


def reviewed(session: Session, region_code: str | None, organization_id: int,
             want: PageRequest = PageRequest()) -> Page:
    """A page of ReviewedEvidence of `organization_id` (0: volunteers without one) in the subtree of
    `region_code`."""
    parts = [_claims(organization_id, region_code)]
    if organization_id != VOLUNTEERS:
        parts.append(_pledges(organization_id, region_code))
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    query = select(rows).order_by(rows.c.reviewed_at.desc(), rows.c.kind, rows.c.id)
    page = paging.counted(session, query, want)
    satisfactions = _satisfactions(session, page.items)
    return page.with_items(_item(row, satisfactions[(row.kind, row.subject_id)]) for row in page.items)


def _satisfactions(session: Session, rows) -> dict[tuple[str, int], list[int]]:
    found: dict[tuple[str, int], list[int]] = defaultdict(list)
    claims = [r.subject_id for r in rows if r.kind == "claim"]
    pledges = [r.subject_id for r in rows if r.kind == "pledge"]
    if claims or pledges:
        query = (select(FollowUp.claim_id, FollowUp.pledge_id, FollowUp.satisfaction)
                 .where(FollowUp.claim_id.in_(claims) | FollowUp.pledge_id.in_(pledges),
                        FollowUp.satisfaction.is_not(None))
                 .order_by(FollowUp.visited_on, FollowUp.id))
        for claim_id, pledge_id, satisfaction in session.execute(query):
            found[("pledge", pledge_id) if pledge_id is not None else ("claim", claim_id)].append(satisfaction)
    return found


def _local_date(moment: datetime | None) -> date | None:
    return aware(moment).astimezone(LOCAL).date() if moment is not None else None


def _item(row, satisfactions: list[int]) -> ReviewedEvidence:
    review = Review(row.status, row.confirmation, row.claimed_at, row.submitted_at, row.reviewed_at, row.deadline)
    verified = row.status == "verified"
    return ReviewedEvidence(
        row.kind, row.need_id, row.title, _local_date(row.claimed_at), _local_date(row.submitted_at),
        _local_date(row.reviewed_at), row.status, review.day(),
        bool(review.counts()["on_time"]) if verified else None, row.confirmation,
        verified and is_confirmed(row.confirmation), row.reason if not verified else None, satisfactions)
