"""Partial pledges on money and goods needs. Services flush, never commit.

The cap is enforced by the database, not by reading then writing: each pledge is one conditional
UPDATE that adds its amount only if the need is still open and the new sum stays within the target.
On PostgreSQL a concurrent pledger waits for the row lock and then re-checks the condition against the
committed sum; on SQLite writers are serialised by BEGIN IMMEDIATE. Either way the loser gets a 409."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

from ..auth.access import found, require_role
from ..duplicates.check import Proposed, check, describe
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _, money
from ..ledger.models import LedgerEntry
from ..modelbase import utcnow
from ..needs import holds, lifecycle
from ..needs.models import Need
from ..notify import emitters as notify
from ..organizations.models import Organization
from ..privacy.pii_scan import scan_for_household
from ..registry.models import Household
from ..vocabulary import NEED_STATUSES, PLEDGE_STATUSES, label
from ..web import yuan
from .models import Pledge

PLEDGEABLE_FORMS = ("money", "goods")
# Pledges whose amount counts towards the need's target.
LIVE = ("pledged", "submitted", "verified")


def pledged_column(need: Need):
    return Need.pledged_fen if need.form == "money" else Need.pledged_quantity


def target(need: Need) -> int:
    return (need.target_amount_fen if need.form == "money" else need.target_quantity) or 0


def pledged(need: Need) -> int:
    return need.pledged_fen if need.form == "money" else need.pledged_quantity


def remaining(need: Need) -> int:
    return max(target(need) - pledged(need), 0)


def amount_text(need: Need, amount: int | None) -> str:
    """500 元 or 3 件: how people say a pledge, in Chinese, as the need's history stores it."""
    if need.form == "money":
        return f"{yuan(amount or 0)} 元"
    return f"{amount or 0} {need.unit or ''}".rstrip()


def amount_shown(need: Need, amount: int | None) -> str:
    """amount_text in the reader's language, for pages and messages (¥500 in English; the unit is data)."""
    if need.form == "money":
        return money(amount or 0)
    return f"{amount or 0} {need.unit or ''}".rstrip()


def has_pledges(need: Need) -> bool:
    return bool(need.pledged_fen or need.pledged_quantity)


def approved_organization(session: Session, actor) -> Organization:
    require_role(actor, "charity")
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None or org.status != "approved":
        raise Forbidden(_("您所在的组织尚未通过民政部门审核（或已被暂停），暂不能认捐。"))
    return org


def pledge(session: Session, actor, need: Need, amount: int | None) -> Pledge:
    """Pledge `amount` (fen for money, units for goods) towards `need` on behalf of the actor's organisation."""
    org = approved_organization(session, actor)
    if need.form not in PLEDGEABLE_FORMS:
        raise Conflict(_("只有资金和物资类需求可以部分认捐；服务和改造需求请整体认领。"))
    if need.status != "open":
        raise Conflict(_("该需求当前状态为「%(status)s」，不能认捐。", status=label(NEED_STATUSES, need.status)))
    if not target(need):
        raise Conflict(_("该需求没有设定目标金额或数量，不能部分认捐。"))
    if amount is None or amount <= 0:
        raise Invalid(_("认捐数额须大于0。"), "amount")
    _refuse_exact_duplicate(session, org, need)
    holds.check_open_to(need, org.id)
    column = pledged_column(need)
    target_column = Need.target_amount_fen if need.form == "money" else Need.target_quantity
    result = session.execute(
        update(Need)
        .where(Need.id == need.id, Need.status == "open", column + amount <= target_column,
               holds.not_held_clause(org.id, utcnow()))
        .values({column: column + amount, Need.version: Need.version + 1, Need.updated_at: utcnow()})
        .execution_options(synchronize_session=False)
    )
    session.refresh(need)
    if result.rowcount != 1:
        holds.check_open_to(need, org.id)  # a hold placed since it was read
        raise _over_pledge(need, amount)
    row = Pledge(need_id=need.id, organization_id=org.id, pledger_id=actor.id, status="pledged",
                 amount_fen=amount if need.form == "money" else None,
                 quantity=amount if need.form == "goods" else None)
    session.add(row)
    session.flush()
    said = f"认捐 {amount_text(need, amount)}（{org.name}）"
    if remaining(need) == 0:
        lifecycle.move(session, need, "cover", actor.id, f"{said}，已认捐足额")
    else:
        lifecycle.note(session, need, actor.id, f"{said}，尚差 {amount_text(need, remaining(need))}")
    session.flush()
    notify.need_pledged(session, need, row, amount_text(need, amount), remaining(need) == 0)
    return row


def _over_pledge(need: Need, amount: int) -> Conflict:
    if need.status != "open":
        return Conflict(_("该需求当前状态为「%(status)s」，不能认捐。 可能已被其他组织认捐足额，请刷新后查看。",
                          status=label(NEED_STATUSES, need.status)))
    return Conflict(_("认捐 %(amount)s 超过了尚需的数额：目前还差 %(left)s（目标 %(target)s，已认捐 %(pledged)s）。"
                      " 请按剩余数额认捐。", amount=amount_shown(need, amount), left=amount_shown(need, remaining(need)),
                      target=amount_shown(need, target(need)), pledged=amount_shown(need, pledged(need))))


def _refuse_exact_duplicate(session: Session, org: Organization, need: Need) -> None:
    """As for claims: aid already verified for the same household, category, period, member or item is
    refused, unless staff posted the need with a 一事一议 reason. Entries written for this very need (an
    earlier pledge verified on its own) are its own parts, not duplicates."""
    if need.override_reason:
        return
    household = session.get(Household, need.household_id)
    matches = check(session, household, Proposed.of_need(need, organization_id=org.id, exclude_need_id=need.id))
    own = set(session.scalars(select(LedgerEntry.id).where(LedgerEntry.need_id == need.id)))
    exact = [m for m in matches if m.exact and m.entry_id not in own]
    if exact:
        raise Conflict(_("该户同期已获得同类帮扶，不能重复认捐：%(matches)s。如情况特殊，请联系民政工作人员。",
                         matches=describe(exact)))


def release_amount(session: Session, need: Need, row: Pledge, actor_id: int | None, reason: str) -> None:
    """Take the pledge's amount off the need's sum; a covered need reopens for the remainder."""
    column = pledged_column(need)
    amount = row.amount_fen if need.form == "money" else row.quantity
    session.execute(
        update(Need).where(Need.id == need.id)
        .values({column: column - amount, Need.version: Need.version + 1, Need.updated_at: utcnow()})
        .execution_options(synchronize_session=False)
    )
    session.refresh(need)
    if need.status == "claimed":
        lifecycle.move(session, need, "uncover", actor_id, reason)
    else:
        lifecycle.note(session, need, actor_id, reason)


def withdraw(session: Session, actor, row: Pledge, reason: str) -> Pledge:
    """Before evidence is submitted the organisation may withdraw its pledge, with a reason."""
    check_owner(actor, row)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("撤回认捐须填写原因，便于民政部门重新安排。"), "reason")
    require_status(row, ("pledged",), N_("该认捐当前状态为「%(status)s」，不能撤回。"))
    need = session.get(Need, row.need_id)
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("撤回原因")})
    org = session.get(Organization, row.organization_id)
    row.status, row.ended_at, row.end_reason = "withdrawn", utcnow(), reason
    release_amount(session, need, row, actor.id,
                   f"撤回认捐 {amount_text(need, row.amount_fen or row.quantity)}（{org.name}）：{reason}")
    session.flush()
    return row


def check_owner(actor, row: Pledge) -> Pledge:
    """Any member of the pledging organisation may carry the pledge on (people change, pledges stay)."""
    require_role(actor, "charity")
    if row.pledger_id != actor.id and row.organization_id != actor.organization_id:
        raise Forbidden(_("这不是您所在组织的认捐。"))
    return row


def own_pledge(session: Session, actor, pledge_id: int) -> Pledge:
    return check_owner(actor, found(session.get(Pledge, pledge_id), _("认捐")))


def require_status(row: Pledge, allowed: tuple[str, ...], message: str) -> None:
    """`message`: a sentence marked with N_ naming the action refused, with the pledge's %(status)s."""
    if row.status not in allowed:
        raise Conflict(_(message, status=label(PLEDGE_STATUSES, row.status)))


@dataclass
class PledgeLine:
    """A pledge as the public need page shows it: the organisation and the amount, nobody's name."""

    organization: str
    amount: str
    status: str


@dataclass
class Progress:
    target: str
    pledged: str
    remaining: str
    remaining_value: int
    lines: list[PledgeLine]


def progress(session: Session, need: Need) -> Progress | None:
    if need.form not in PLEDGEABLE_FORMS or not target(need):
        return None
    rows = session.execute(
        select(Pledge, Organization.name).join(Organization, Organization.id == Pledge.organization_id)
        .where(Pledge.need_id == need.id, Pledge.status.in_(LIVE)).order_by(Pledge.pledged_at, Pledge.id)
    ).all()
    lines = [PledgeLine(name, amount_shown(need, p.amount_fen or p.quantity), p.status) for p, name in rows]
    return Progress(target=amount_shown(need, target(need)), pledged=amount_shown(need, pledged(need)),
                    remaining=amount_shown(need, remaining(need)), remaining_value=remaining(need), lines=lines)


def pledges_of(session: Session, actor) -> list[Pledge]:
    return list(session.scalars(select(Pledge).where(owned(actor))
                                .order_by(Pledge.pledged_at.desc(), Pledge.id.desc())))


def owned(actor):
    """The pledges `actor` may carry: their own and their organisation's."""
    require_role(actor, "charity")
    mine = Pledge.pledger_id == actor.id
    if actor.organization_id:
        mine = mine | (Pledge.organization_id == actor.organization_id)
    return mine


def can_pledge(session: Session, user) -> bool:
    """Whether the need page offers the pledge form (the service still checks on submit)."""
    if not (getattr(user, "is_authenticated", False) and user.role == "charity" and user.organization_id):
        return False
    org = session.get(Organization, user.organization_id)
    return org is not None and org.status == "approved"


def end_open_pledges(session: Session, need: Need, reason: str) -> int:
    """A need staff cancel, or whose deadline passes, ends the pledges not yet verified: they no longer
    count toward its sum. Verified pledges stay, as given aid (their chain entries stand)."""
    ended = 0
    for row in session.scalars(select(Pledge).where(Pledge.need_id == need.id,
                                                    Pledge.status.in_(("pledged", "submitted")))).all():
        column = pledged_column(need)
        amount = row.amount_fen if need.form == "money" else row.quantity
        session.execute(update(Need).where(Need.id == need.id).values({column: column - amount})
                        .execution_options(synchronize_session=False))
        row.status, row.ended_at, row.end_reason = "cancelled", utcnow(), reason
        ended += 1
    if ended:
        session.flush()
        session.refresh(need)
    return ended
