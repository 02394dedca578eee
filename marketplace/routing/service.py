"""Needs routed to government departments (分类推送). A need published where an active rule covers its
category and place is held for the rule's department for the rule's working days (needs/holds.py) and the
department's members are told by mail. The department answers 已办理 — its aid goes on the household's
chain as government aid paid from fiscal funds, and the need closes — or 不属于本部门 / 无对应政策 with a
reason, and the need is public to social forces at once. Unanswered, the hold simply ends at `until`; the
routing row is marked lapsed lazily (the department's list) and by the worker. Services flush, never commit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from .. import worklist
from ..auth.access import found, require_role
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..ledger import service as ledger
from ..ledger.models import LedgerEntry
from ..modelbase import utcnow
from ..needs import holds, lifecycle
from ..needs.models import Need
from ..notify.messages import need_context, send_each
from ..organizations.models import Organization
from ..privacy.pii_scan import scan_for_household
from ..registry.models import Household
from ..vocabulary import DEPARTMENTS, ROUTING_ANSWERS, label
from . import rules
from .models import NeedRouting

CHINA = ZoneInfo("Asia/Shanghai")
DECLINES = ("not_ours", "no_policy")
MIN_REASON, MAX_REASON = 4, 500
MAX_ITEM = 80
MAX_AMOUNT_FEN = 100_000_000  # 100 万元: more than any single department payment to one household
# What the need's history says (stored in Chinese, the system's words, translated where shown).
ROUTED_NOTE = "推送至{org}办理，期限至{day}（{days}个工作日）"
HANDLED_NOTE = "{org}已办理：{item}"
DECLINED_NOTE = "{org}退回（{answer}）：{reason}"
LAPSED_NOTE = N_("部门办理期满未答复，需求向社会力量开放")

TABS = [
    worklist.Tab("pending", N_("待办理"), ("pending",)),
    worklist.Tab("handled", N_("已办理"), ("handled",)),
    worklist.Tab("declined", N_("已退回"), ("declined",)),
    worklist.Tab("lapsed", N_("办理期满"), ("lapsed",)),
]


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day (Monday to Friday) after `start`. Public holidays and the weekend days
    worked in their place move every year; a rule's time is counted without them."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def until_for(working_days: int, now: datetime | None = None) -> datetime:
    """The end (midnight, China time) of the last working day the department has."""
    local_today = (now or utcnow()).astimezone(CHINA).date()
    last = add_working_days(local_today, working_days)
    return datetime.combine(last + timedelta(days=1), time(0), CHINA).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The last day of the department's time, as people in China count it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware.astimezone(CHINA) - timedelta(seconds=1)).date()


def route(session: Session, need: Need, actor_id: int | None = None) -> NeedRouting | None:
    """Called when a need is published (posted, published from a draft, or imported)."""
    if need.status != "open" or need.purchase_project_id is not None:
        return None
    for rule in rules.rules_for(session, need.category, need.region_code):
        org = session.get(Organization, rule.organization_id)
        if org is None or org.status != "approved" or org.kind != "government":
            continue  # a suspended department is skipped: the next rule, else the public, has the need
        until = until_for(rule.working_days)
        if not holds.place(session, need, org.id, until, "routing"):
            return None  # held for someone else already: that hold stands
        routing = NeedRouting(need_id=need.id, rule_id=rule.id, organization_id=org.id, until=until)
        session.add(routing)
        session.flush()
        lifecycle.note(session, need, actor_id, ROUTED_NOTE.format(org=org.name, day=local_day(until).isoformat(),
                                                                   days=rule.working_days))
        _tell_department(session, need, org, routing)
        return routing
    return None


def _tell_department(session: Session, need: Need, org: Organization, routing: NeedRouting) -> None:
    from ..auth.models import AppUser

    members = session.scalars(select(AppUser).where(AppUser.organization_id == org.id,
                                                    AppUser.is_active.is_(True)).order_by(AppUser.id)).all()
    context = {**need_context(session, need), "org_name": org.name, "date": local_day(routing.until).isoformat(),
               "path": f"/department/needs/{routing.id}"}
    send_each(session, "need.routed", members, context, f"need.routed:{routing.id}")


def department_of(session: Session, actor) -> Organization:
    """The actor's approved government department (routing.answer)."""
    require_role(actor, "charity")
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None or org.kind != "government":
        raise Forbidden(_("只有政府部门的账号可以办理推送的需求。"))
    if org.status != "approved":
        raise Forbidden(_("您所在的部门尚未通过民政部门审核（或已被暂停），暂不能办理推送的需求。"))
    return org


def lapse_overdue(session: Session, now: datetime | None = None, organization_id: int | None = None) -> int:
    """Pending routings past their time become lapsed and the hold ends (the worker; a department's list)."""
    now = now or utcnow()
    query = select(NeedRouting).where(NeedRouting.status == "pending", NeedRouting.until <= now)
    if organization_id is not None:
        query = query.where(NeedRouting.organization_id == organization_id)
    lapsed = 0
    for routing in session.scalars(query).all():
        if _finish(session, routing, "lapsed", None, now):
            need = session.get(Need, routing.need_id)
            if need.hold_kind == "routing" and need.held_by_org_id == routing.organization_id:
                holds.release(session, need, "routing")
            lifecycle.note(session, need, None, LAPSED_NOTE)
            lapsed += 1
    session.flush()
    return lapsed


def _finish(session: Session, routing: NeedRouting, status: str, actor_id: int | None, now: datetime,
            **values) -> bool:
    """One conditional UPDATE from pending: two answers (or an answer and the lapse) cannot both win."""
    result = session.execute(
        update(NeedRouting).where(NeedRouting.id == routing.id, NeedRouting.status == "pending")
        .values(status=status, answered_by_id=actor_id, answered_at=now, **values)
        .execution_options(synchronize_session=False))
    session.refresh(routing)
    return result.rowcount == 1


def routed_to(session: Session, actor, routing_id: int) -> NeedRouting:
    """A routing of the actor's department; another department's is answered as missing."""
    org = department_of(session, actor)
    routing = session.get(NeedRouting, routing_id)
    if routing is not None and routing.organization_id != org.id:
        routing = None
    return found(routing, N_("推送的需求"))


def work(session: Session, actor, args) -> worklist.WorkList:
    org = department_of(session, actor)
    lapse_overdue(session, organization_id=org.id)
    return worklist.build(session, args, TABS, NeedRouting, NeedRouting.organization_id == org.id,
                          (NeedRouting.until, NeedRouting.id))


@dataclass
class Handled:
    item: str
    amount_fen: int | None
    occurred_on: date | None
    note: str = ""


def _pending(session: Session, routing: NeedRouting) -> None:
    if routing.status == "pending" and _aware(routing.until) <= utcnow():
        lapse_overdue(session, organization_id=routing.organization_id)
    if routing.status != "pending":
        raise Conflict(_("该需求已不在本部门办理中（%(status)s），不能再答复。",
                         status=_status_label(routing.status)))


def _status_label(status: str) -> str:
    from ..vocabulary import ROUTING_STATUSES

    return label(ROUTING_STATUSES, status)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def handle(session: Session, actor, routing: NeedRouting, data: Handled, today: date | None = None) -> LedgerEntry:
    """已办理: the department's aid on the household's chain (source government, funding fiscal) and the
    need closed. The need has no "done by someone else" state in its life cycle: it is cancelled with the
    department's answer as the reason, the state that takes an open need off every list."""
    org = department_of(session, actor)
    if routing.organization_id != org.id:
        raise Forbidden(_("该需求没有推送给您所在的部门。"))
    today = today or utcnow().astimezone(CHINA).date()
    item = " ".join((data.item or "").split())
    if not 2 <= len(item) <= MAX_ITEM:
        raise Invalid(_("请填写办理事项（2至%(max)s字），如：减免学费、发放助学金。", max=MAX_ITEM), "item")
    if data.amount_fen is not None and not 0 < data.amount_fen <= MAX_AMOUNT_FEN:
        raise Invalid(_("金额须大于0且不超过100万元；没有金额的事项请留空。"), "amount")
    if data.occurred_on is None:
        raise Invalid(_("请填写办理日期。"), "occurred_on")
    need = session.get(Need, routing.need_id)
    if data.occurred_on > today or data.occurred_on < routing.created_at.date() - timedelta(days=366):
        raise Invalid(_("办理日期不能晚于今天，也不能早于推送前一年。"), "occurred_on")
    note = (data.note or "").strip()
    if len(note) > MAX_REASON:
        raise Invalid(_("说明不能超过%(max)s字。", max=MAX_REASON), "note")
    scan_for_household(session, need.household_id, {"item": item, "note": note},
                       labels={"item": _("办理事项"), "note": _("说明")})
    _pending(session, routing)
    if need.status != "open":
        raise Conflict(_("该需求已不是待帮扶状态（可能已被民政部门撤销），不能记为已办理。"))
    household = session.get(Household, need.household_id)
    entry = ledger.append(session, household, source="government", funding="fiscal", kind="aid",
                          category=need.category, title=item, amount_fen=data.amount_fen, occurred_on=data.occurred_on,
                          organization_id=org.id, need_id=need.id, recorded_by_id=actor.id, note=note or None,
                          period_start=need.period_start, period_end=need.period_end, member_ref=need.member_ref,
                          item_key=need.item_key)
    if not _finish(session, routing, "handled", actor.id, utcnow(), answer="handled", item=item,
                   amount_fen=data.amount_fen, ledger_entry_id=entry.id):
        raise Conflict(_("该需求刚刚已被答复，请刷新后查看。"))
    holds.release(session, need, "routing")
    from ..claims.service import end_active_claims
    from ..pledges.service import end_open_pledges

    reason = HANDLED_NOTE.format(org=org.name, item=item)[:500]
    end_active_claims(session, need, "cancelled", reason)
    end_open_pledges(session, need, reason)
    lifecycle.move(session, need, "cancel", actor.id, reason)
    return entry


def decline(session: Session, actor, routing: NeedRouting, answer: str, reason: str) -> NeedRouting:
    """不属于本部门 / 无对应政策: the hold ends now and the need is public to social forces."""
    org = department_of(session, actor)
    if routing.organization_id != org.id:
        raise Forbidden(_("该需求没有推送给您所在的部门。"))
    if answer not in DECLINES:
        raise Invalid(_("请选择退回的原因：不属于本部门，或无对应政策。"), "answer")
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise Invalid(_("请说明退回的理由（%(low)s至%(high)s字）。", low=MIN_REASON, high=MAX_REASON), "reason")
    need = session.get(Need, routing.need_id)
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("退回理由")})
    _pending(session, routing)
    if not _finish(session, routing, "declined", actor.id, utcnow(), answer=answer, reason=reason):
        raise Conflict(_("该需求刚刚已被答复，请刷新后查看。"))
    holds.release(session, need, "routing")
    lifecycle.note(session, need, actor.id, DECLINED_NOTE.format(org=org.name, answer=ROUTING_ANSWERS[answer],
                                                                 reason=reason)[:500])
    return routing


def latest_for_need(session: Session, need_id: int) -> NeedRouting | None:
    return session.scalars(select(NeedRouting).where(NeedRouting.need_id == need_id)
                           .order_by(NeedRouting.id.desc())).first()


def department_label(org: Organization | None) -> str:
    return label(DEPARTMENTS, org.department) if org and org.department else ""
