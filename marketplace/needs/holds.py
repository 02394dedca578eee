"""A need held for one organisation for a while: a government department it was routed to (分类推送,
routing/), or the organisation of an offer staff referred it to (定向转介, offers/). Meanwhile nobody else
may claim or pledge it, and the public listing says why. A need assigned to a purchase project (purchases/)
is its provider's alone for good. Past `held_until` a hold is simply over: nothing has to run for the
need to go public again.

Placing a hold is one conditional UPDATE (open, not held by anyone, same version), so two staff referring
the same need to two offers cannot both win; claiming checks the hold and then moves the need with its
version, so a hold placed in between makes the claim fail instead of slipping past it."""

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session

from ..errors import Conflict
from ..i18n import _
from ..modelbase import utcnow
from ..outbox.service import need_changed
from .models import Need


def held_for(need: Need, now: datetime | None = None) -> int | None:
    """The organisation the need is held for now, or None."""
    now = now or utcnow()
    if need.held_by_org_id and need.held_until and _aware(need.held_until) > now:
        return need.held_by_org_id
    return None


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_to(need: Need, organization_id: int | None, now: datetime | None = None) -> bool:
    if need.purchase_project_id is not None:
        return organization_id is not None and _is_provider(need, organization_id)
    holder = held_for(need, now)
    return holder is None or holder == organization_id


def _is_provider(need: Need, organization_id: int) -> bool:
    from sqlalchemy.orm import object_session

    from ..purchases.models import PurchaseProject

    session = object_session(need)
    project = session.get(PurchaseProject, need.purchase_project_id) if session else None
    return project is not None and project.provider_id == organization_id


def shown_hold(need: Need, now: datetime | None = None) -> str | None:
    """What the public listing says of the need: purchase | routing | referral (vocabulary.HOLDS), or None."""
    if need.purchase_project_id is not None:
        return "purchase"
    return need.hold_kind if held_for(need, now) else None


def refusal(need: Need, organization_id: int | None, now: datetime | None = None) -> str | None:
    """Why anyone but the holder cannot claim or pledge the need now, or None."""
    if open_to(need, organization_id, now):
        return None
    if need.purchase_project_id is not None:
        return _("该需求已纳入政府购买服务项目，由承接机构提供服务，不接受其他认领。")
    if need.hold_kind == "routing":
        return _("该需求正由相关政府部门办理，办理期满或部门答复后才向社会力量开放。")
    return _("该需求已定向转介给一家慈善组织，对方答复前不接受其他认领或认捐。")


def check_open_to(need: Need, organization_id: int | None, now: datetime | None = None) -> None:
    """Refuse a claim or pledge by anyone but the holder (a 409 saying why)."""
    reason = refusal(need, organization_id, now)
    if reason:
        raise Conflict(reason)


def not_held_clause(organization_id: int | None, now: datetime):
    """SQL for "nobody else holds it": for the conditional UPDATEs of claims and pledges."""
    return (Need.purchase_project_id.is_(None)
            & or_(Need.held_until.is_(None), Need.held_until <= now, Need.held_by_org_id == organization_id))


def place(session: Session, need: Need, organization_id: int, until: datetime, kind: str) -> bool:
    """Hold an open need for `organization_id` until `until`; False when someone got there first (it is no
    longer open, or another hold is live, or it changed since it was read)."""
    now = utcnow()
    result = session.execute(
        update(Need)
        .where(Need.id == need.id, Need.status == "open", Need.version == need.version,
               Need.purchase_project_id.is_(None), or_(Need.held_until.is_(None), Need.held_until <= now))
        .values(held_by_org_id=organization_id, held_until=until, hold_kind=kind, version=Need.version + 1,
                updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(need)
    if result.rowcount == 1:
        need_changed(session, need.id)  # the listing and search show 已定向转介 / 部门办理中
    return result.rowcount == 1


def release(session: Session, need: Need, kind: str) -> None:
    """End a hold of `kind` early (the department answered, the organisation declined or accepted)."""
    now = utcnow()
    session.execute(
        update(Need).where(Need.id == need.id, Need.hold_kind == kind)
        .values(held_by_org_id=None, held_until=None, hold_kind=None, version=Need.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(need)
    need_changed(session, need.id)
