"""The two lists the dashboard's numbers link to where no other page lists those rows: claims whose time to
start is running out, and needs waiting for a department. Counted and paged like every staff list, with the
same conditions the dashboard counts by (today.py), and only the page's rows joined to what they show."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from .. import paging
from ..auth.access import require_role
from ..auth.models import AppUser
from ..claims.models import Claim
from ..needs.listing import area_names
from ..needs.models import Need
from ..organizations.models import Organization
from ..routing.models import NeedRouting
from ..routing.service import local_day
from ..security.throttle import LOCAL
from .today import expiring_claims, routed_needs


@dataclass(frozen=True)
class ExpiringClaim:
    claim_id: int
    need_id: int
    title: str
    region_code: str
    claimant: str
    organization: str | None
    claimed_at: datetime
    expires_at: datetime  # China time, as the page shows it
    extended: bool
    late: bool  # already past: the worker releases it on its next round


@dataclass(frozen=True)
class RoutedNeed:
    need_id: int
    title: str
    category: str
    region_code: str
    department: str
    routed_at: datetime
    last_day: date  # the department's last working day, on China's calendar


@dataclass(frozen=True)
class Listed:
    page: paging.Page
    areas: dict[str, str]


def expiring(session: Session, actor, want: paging.PageRequest, *, now: datetime) -> Listed:
    """Claims in the actor's region that must start within 48 hours, the most urgent first."""
    require_role(actor, "staff")
    # The total rides along as a window count: the claims are filtered once, not once more to count them.
    found = session.execute(expiring_claims(select(Claim.id, func.count().over()), actor, now)
                            .order_by(Claim.expires_at, Claim.id).offset(want.offset).limit(want.size)).all()
    total = found[0][1] if found else session.scalar(
        expiring_claims(select(func.count()).select_from(Claim), actor, now))
    page = paging.Page([claim_id for claim_id, _total in found], want.number, want.size,
                       want.offset + len(found) < total and want.number < paging.MAX_PAGE, total)
    rows = {}
    for claim_id, *shown, claimed_at, expires_at, extended in session.execute(
            select(Claim.id, Need.id, Need.title, Need.region_code, AppUser.display_name, Organization.name,
                   Claim.claimed_at, Claim.expires_at, Claim.extended)
            .join(Need, Need.id == Claim.need_id).join(AppUser, AppUser.id == Claim.claimant_id)
            .outerjoin(Organization, Organization.id == Claim.organization_id)
            .where(Claim.id.in_(page.items))):
        rows[claim_id] = ExpiringClaim(claim_id, *shown, _local(claimed_at), _local(expires_at), extended,
                                       _aware(expires_at) <= now)
    page = page.with_items(rows[i] for i in page.items if i in rows)
    return Listed(page, area_names(session, {r.region_code for r in page.items}))


def routed(session: Session, actor, want: paging.PageRequest, *, now: datetime) -> Listed:
    """Needs in the actor's region held for a department that has not answered, the nearest deadline first."""
    require_role(actor, "staff")
    ids = routed_needs(select(NeedRouting.id), actor, now).order_by(NeedRouting.until, NeedRouting.id)
    page = paging.counted(session, ids, want, scalars=True)
    found = {r[0]: RoutedNeed(*r[1:6], _local(r[6]), local_day(r[7])) for r in session.execute(
        select(NeedRouting.id, Need.id, Need.title, Need.category, Need.region_code, Organization.name,
               NeedRouting.created_at, NeedRouting.until)
        .join(Need, Need.id == NeedRouting.need_id).join(Organization, Organization.id == NeedRouting.organization_id)
        .where(NeedRouting.id.in_(page.items)))}
    page = page.with_items(found[i] for i in page.items if i in found)
    return Listed(page, area_names(session, {r.region_code for r in page.items}))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local(value: datetime) -> datetime:
    return _aware(value).astimezone(LOCAL)
