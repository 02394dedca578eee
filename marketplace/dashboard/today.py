"""今日待办: what waits for staff action in the reader's region, each figure a count of exactly the rows its
list shows (the list is where the number links), under the same conditions as that list.

How each count finds its rows depends on the size of the region. Rows waiting for action are few in a
large table (submitted evidence, active claims, pending routings): for a county or wider they are found by
their status index and each one's need looked up by primary key for its region (fulfilment/service.py
`queue` does the same). A township has few needs: they are found by the region index and their waiting
rows by need_id. Either form alone is ten times slower on the other scope on SQLite (a city's 6,600
expiring claims: 20 ms probed, 260 ms joined; a township's 135: 44 ms probed, 3 ms joined)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import false, func, select
from sqlmodel import Session

from ..auth.access import in_scope_sql, scope_prefix
from ..auth.policy import allows
from ..claims.models import Claim
from ..fulfilment.models import Fulfilment
from ..needs.models import Need
from ..organizations.models import Organization
from ..pledges.models import Pledge
from ..referrals.models import FamilyReferral
from ..referrals.service import overdue_count
from ..referrals.workdays import add_working_days
from ..reports.filters import code_range
from ..routing.models import NeedRouting

EXPIRING_HOURS = 48
REFERRAL_DUE_WORKING_DAYS = 2
SMALL_SCOPE = 9  # a prefix this long (a township or a village) has few needs: start from them


@dataclass(frozen=True)
class Today:
    evidence: int  # claim evidence waiting (核验队列), or needs at 待核验 for a reader without the duty
    verifier: bool  # the reader holds 核验: evidence links to the queues, and pledges are counted
    pledges: int | None  # pledge evidence waiting (认捐核验), verifiers only
    expiring: int  # active claims that must start within EXPIRING_HOURS (or already should have)
    referrals_overdue: int
    referrals_due: int  # open, due today or within REFERRAL_DUE_WORKING_DAYS working days
    routed: int  # needs held for a government department, still within its time
    orgs_pending: int | None  # organisations awaiting vetting, for readers with 组织审核


def _prefix(actor) -> str | None:
    prefix = scope_prefix(actor.region_code or "")
    return prefix if prefix.isdigit() else None


def in_region(query, actor, need_id_column):
    """`query` (over a table with a need_id) limited to rows whose need lies in the actor's subtree, in
    the form that suits the subtree's size (see the module's docstring)."""
    prefix = _prefix(actor)
    if prefix is None:
        return query.where(false())
    if len(prefix) >= SMALL_SCOPE:
        return query.join(Need, Need.id == need_id_column).where(code_range(Need.region_code, prefix))
    need_region = select(Need.region_code).where(Need.id == need_id_column).scalar_subquery()
    return query.where(func.substr(need_region, 1, len(prefix)) == prefix)


def expiring_claims(query, actor, now: datetime):
    """Claims not started whose time to start ends within EXPIRING_HOURS. Those already past it count too:
    the worker releases them on its next round, and until then the fulfiler can still start."""
    return in_region(query.where(Claim.status == "active", Claim.expires_at < now + timedelta(hours=EXPIRING_HOURS)),
                     actor, Claim.need_id)


def routed_needs(query, actor, now: datetime):
    """Needs routed to a department that has not answered yet and whose time has not run out (after it the
    need is public; the worker marks the routing lapsed)."""
    return in_region(query.where(NeedRouting.status == "pending", NeedRouting.until > now), actor, NeedRouting.need_id)


def _submitted_needs(actor):
    """Needs at 待核验 in the actor's subtree (需求管理 filtered by that status): a county's few thousand
    found by the status index, a township's by the region index."""
    prefix = _prefix(actor)
    if prefix is None:
        return false()
    if len(prefix) >= SMALL_SCOPE:
        return (Need.status == "submitted") & code_range(Need.region_code, prefix)
    return (Need.status == "submitted") & (func.substr(Need.region_code, 1, len(prefix)) == prefix)


def referral_due_condition(today: date):
    return (FamilyReferral.status == "open") & (FamilyReferral.due_on >= today) \
        & (FamilyReferral.due_on <= add_working_days(today, REFERRAL_DUE_WORKING_DAYS))


def _count(model):
    return select(func.count()).select_from(model)


def counts(session: Session, actor, *, now: datetime, today: date) -> Today:
    verifier = allows(actor, "evidence.verify")
    if verifier:  # 核验队列 and 认捐核验: submitted evidence of needs in the region
        evidence = session.scalar(in_region(_count(Fulfilment).where(Fulfilment.status == "submitted"),
                                            actor, Fulfilment.need_id))
        pledges = session.scalar(in_region(_count(Pledge).where(Pledge.status == "submitted"), actor, Pledge.need_id))
    else:  # 需求管理 filtered to 待核验 is the list such a reader can open
        evidence, pledges = session.scalar(_count(Need).where(_submitted_needs(actor))), None
    orgs = session.scalar(_count(Organization).where(
        Organization.status == "pending", in_scope_sql(actor, Organization.region_code))) \
        if allows(actor, "org.vet") else None
    return Today(
        evidence=evidence or 0, verifier=verifier, pledges=pledges,
        expiring=session.scalar(expiring_claims(_count(Claim), actor, now)) or 0,
        referrals_overdue=overdue_count(session, actor, today),
        referrals_due=session.scalar(_count(FamilyReferral).where(
            referral_due_condition(today), in_scope_sql(actor, FamilyReferral.region_code))) or 0,
        routed=session.scalar(routed_needs(_count(NeedRouting), actor, now)) or 0,
        orgs_pending=orgs,
    )
