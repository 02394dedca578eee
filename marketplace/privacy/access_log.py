"""Reading the access log: staff see who viewed the private data of the households in their region."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from ..auth.access import require_staff_for, scope_prefix
from ..auth.models import AppUser
from ..registry.models import AccessLog, Household


@dataclass(frozen=True)
class LogLine:
    at: datetime
    who: str
    role: str
    public_code: str
    action: str
    purpose: str | None


def region_log(session: Session, actor, *, code: str = "", page: int = 1,
               per_page: int = 20) -> tuple[list[LogLine], int]:
    """Newest first; `code` narrows to one household ("who has looked at this family?")."""
    require_staff_for(actor, actor.region_code)
    query = (select(AccessLog.at, AppUser.display_name, AppUser.role, Household.public_code, AccessLog.action,
                    AccessLog.purpose)
             .join(Household, Household.id == AccessLog.household_id)
             .join(AppUser, AppUser.id == AccessLog.user_id)
             .where(Household.region_code.startswith(scope_prefix(actor.region_code))))
    if code:
        query = query.where(Household.public_code == code.strip().upper())
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(AccessLog.at.desc(), AccessLog.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return [LogLine(*row) for row in rows], total
