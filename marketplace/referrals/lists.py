"""The referral lists: the staff queue of a region (待处理 with 已逾期 inside it, 已办结) and a referrer's
own (我的转介). Each tab's count is an indexed count inside the reader's scope; rows are paged."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from .. import paging, worklist
from ..auth.access import in_scope_sql, require_role
from ..i18n import N_
from ..regions.models import Region
from ..regions.service import SEPARATOR
from .models import FamilyReferral
from .service import overdue_condition

STAFF_TABS = [
    worklist.Tab("open", N_("待处理"), ("open",)),
    worklist.Tab("overdue", N_("已逾期"), ("open",)),
    worklist.Tab("decided", N_("已办结"), ("decided", "withdrawn")),
]
MINE_TABS = [
    worklist.Tab("open", N_("待处理"), ("open",)),
    worklist.Tab("decided", N_("已办结"), ("decided", "withdrawn")),
]
_OPEN_ORDER = (FamilyReferral.due_on, FamilyReferral.id)
_DONE_ORDER = (FamilyReferral.decided_at.desc(), FamilyReferral.id.desc())


@dataclass(frozen=True)
class Listed:
    work: worklist.WorkList
    areas: dict[str, str]
    today: date


def _where(tab: worklist.Tab, today: date):
    condition = FamilyReferral.status.in_(tab.statuses)
    return condition & (FamilyReferral.due_on < today) if tab.key == "overdue" else condition


def _build(session: Session, args, tabs, owned, today: date, size: int | None = None) -> Listed:
    tab = worklist.chosen_tab(args, tabs)
    by_status = dict(session.execute(select(FamilyReferral.status, func.count()).where(owned)
                                     .group_by(FamilyReferral.status)).all())
    counts = {t.key: sum(by_status.get(s, 0) for s in t.statuses) for t in tabs}
    if "overdue" in counts:
        counts["overdue"] = session.scalar(select(func.count()).select_from(FamilyReferral)
                                           .where(owned, overdue_condition(today))) or 0
    order = _OPEN_ORDER if "open" in tab.statuses else _DONE_ORDER
    query = select(FamilyReferral).where(owned, _where(tab, today)).order_by(*order)
    page = paging.counted(session, query, paging.requested(args, size), scalars=True, total=counts[tab.key])
    return Listed(worklist.WorkList(tabs, tab, counts, page), areas(session, {r.region_code for r in page.items}),
                  today)


def staff_queue(session: Session, actor, args, today: date | None = None) -> Listed:
    require_role(actor, "staff")
    return _build(session, args, STAFF_TABS, in_scope_sql(actor, FamilyReferral.region_code),
                  today or date.today())


def mine(session: Session, actor, args, today: date | None = None) -> Listed:
    require_role(actor, "charity", "volunteer")
    return _build(session, args, MINE_TABS, FamilyReferral.referrer_id == actor.id, today or date.today(),
                  worklist.PAGE_SIZE)


def areas(session: Session, codes: set[str]) -> dict[str, str]:
    """"涡阳县 · 楚店镇" for each township code, in one query."""
    wanted = codes | {code[:6] for code in codes}
    names = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted))).all()) \
        if wanted else {}
    return {code: SEPARATOR.join(n for n in (names.get(code[:6]), names.get(code)) if n) or code for code in codes}


def township_choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Townships by county, for the select: the counties the platform serves (those whose townships are
    loaded), not every division of China."""
    towns: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in session.execute(
            select(Region.code, Region.name, Region.parent_code)
            .where(Region.level == "township", Region.current.is_(True)).order_by(Region.parent_code, Region.code)):
        towns.setdefault(parent, []).append((code, name))
    counties = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(towns))).all())
    return {counties.get(code, code): towns[code] for code in sorted(towns)}
