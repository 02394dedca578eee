"""Reading the access log: staff see who viewed the private data of the households in their region."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from .. import paging
from ..auth.access import in_scope_sql, require_staff_for
from ..auth.models import AppUser
from ..paging import Page, PageRequest
from ..registry.models import AccessLog, Household

# Log rows looked at, newest first, before the scope's households are asked instead (see region_log).
RECENT_ROWS = 10_000


@dataclass(frozen=True)
class LogLine:
    at: datetime
    who: str
    role: str
    public_code: str
    action: str
    purpose: str | None


def region_log(session: Session, actor, want: PageRequest = PageRequest(), *, code: str = "") -> Page:
    """Newest first (in the order the views were recorded: `at` is stamped as the row is written, and the
    primary key orders it without another index); `code` narrows to one household ("who has looked at
    this family?"). Not counted: the log only grows, and a count would read all of it on every page."""
    require_staff_for(actor, actor.region_code)
    lines = (select(AccessLog.at, AppUser.display_name, AppUser.role, Household.public_code, AccessLog.action,
                    AccessLog.purpose)
             .join(Household, Household.id == AccessLog.household_id)
             .join(AppUser, AppUser.id == AccessLog.user_id)
             .order_by(AccessLog.id.desc()))
    if code:
        household = session.scalar(select(Household.id).where(Household.public_code == code.strip().upper(),
                                                              in_scope_sql(actor, Household.region_code)))
        if household is None:
            return Page(number=want.number, size=want.size)
        return _page(session, lines.where(AccessLog.household_id == household), want)
    # Which is cheaper depends on how much of the log is the reader's: a city reads the newest rows and
    # keeps nearly all, a quiet township would walk the whole log to fill a page. So first the newest
    # RECENT_ROWS rows by primary key, the scope checked on each (paging.leading keeps SQLite off the region
    # index, which would sort every row of the scope). If they hold less than the page, their share of the
    # scope's rows tells which costs less: reading on newest-first, about (offset + size) / share rows, or
    # letting the scope's households lead (region and access_log.household_id indexes), share × log rows.
    newest = session.scalar(select(func.max(AccessLog.id))) or 0
    region = paging.leading(session, Household.region_code, paging.ORDER)
    window = AccessLog.id > newest - RECENT_ROWS
    recent = _page(session, lines.where(window, in_scope_sql(actor, region)), want)
    if recent.has_next or newest <= RECENT_ROWS:
        return recent
    share = session.scalar(select(func.count()).select_from(AccessLog).join(Household, Household.id == AccessLog.household_id)
                           .where(window, in_scope_sql(actor, region)))
    if share * share * newest > (want.offset + want.size) * RECENT_ROWS * RECENT_ROWS:
        return _page(session, lines.where(in_scope_sql(actor, region)), want)
    return _page(session, lines.where(in_scope_sql(actor, Household.region_code)), want)


def _page(session: Session, query, want: PageRequest) -> Page:
    page = paging.uncounted(session, query, want)
    return page.with_items(LogLine(*row) for row in page.items)
