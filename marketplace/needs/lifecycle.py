"""The need life cycle (ARCHITECTURE.md). Every transition is one conditional UPDATE on status and
version plus a history row, so two actors racing for the same need cannot both succeed."""

from sqlalchemy import update
from sqlmodel import Session

from ..errors import Conflict
from ..i18n import N_, _
from ..modelbase import utcnow
from ..outbox.service import need_changed
from ..vocabulary import NEED_STATUSES, label
from .models import Need, NeedHistory

BEFORE_VERIFIED = frozenset({"draft", "open", "claimed", "in_progress", "submitted"})

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft"}), "open"),
    "claim": (frozenset({"open"}), "claimed"),
    "start": (frozenset({"claimed"}), "in_progress"),
    "release": (frozenset({"claimed", "in_progress"}), "open"),
    "expire_claim": (frozenset({"claimed"}), "open"),
    "submit": (frozenset({"in_progress"}), "submitted"),
    "verify": (frozenset({"submitted"}), "verified"),
    "reject": (frozenset({"submitted"}), "open"),
    "expire": (frozenset({"open"}), "expired"),
    "cancel": (BEFORE_VERIFIED, "cancelled"),
}

# Driven by partial pledges (pledges/), not by a claim: a money or goods need is covered when its pledges
# reach the target, uncovered when one is withdrawn or rejected, verified once every live pledge is.
# Kept apart from TRANSITIONS, each of which tests/needs/test_lifecycle.py drives through the claim
# services; tests/pledges/test_pledge_lifecycle.py does the same for these through the pledge services.
PLEDGE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "cover": (frozenset({"open"}), "claimed"),
    "uncover": (frozenset({"claimed"}), "open"),
    "complete": (frozenset({"claimed"}), "verified"),
}

ACTION_LABELS = {
    "publish": N_("发布"),
    "claim": N_("认领"),
    "start": N_("开始帮扶"),
    "release": N_("放弃认领"),
    "expire_claim": N_("超时释放"),
    "submit": N_("提交凭证"),
    "verify": N_("核验通过"),
    "reject": N_("退回凭证"),
    "expire": N_("到期关闭"),
    "cancel": N_("撤销"),
    "cover": N_("认捐足额"),
    "uncover": N_("重新开放认捐"),
    "complete": N_("认捐全部核验"),
}


def allowed(action: str, status: str) -> bool:
    return status in _transition(action)[0]


def _transition(action: str) -> tuple[frozenset[str], str]:
    return TRANSITIONS[action] if action in TRANSITIONS else PLEDGE_TRANSITIONS[action]


def move(session: Session, need: Need, action: str, actor_id: int | None, reason: str | None = None) -> Need:
    sources, target = _transition(action)
    if need.status not in sources:
        raise _conflict(action, need.status)
    now = utcnow()
    values = {"status": target, "version": Need.version + 1, "updated_at": now}
    if action == "publish":
        values["published_at"] = now
    result = session.execute(
        update(Need)
        .where(Need.id == need.id, Need.status == need.status, Need.version == need.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(need)
        raise _conflict(action, need.status)
    from_status = need.status
    session.refresh(need)
    session.add(NeedHistory(need_id=need.id, from_status=from_status, to_status=target, actor_id=actor_id,
                            reason=reason, at=now))
    need_changed(session, need.id)
    session.flush()
    return need


def record_creation(session: Session, need: Need, actor_id: int, reason: str | None = None) -> None:
    session.add(NeedHistory(need_id=need.id, from_status=None, to_status=need.status, actor_id=actor_id,
                            reason=reason, at=need.created_at))
    need_changed(session, need.id)


def _conflict(action: str, status: str) -> Conflict:
    message = _("该需求当前状态为「%(status)s」，不能%(action)s。", status=label(NEED_STATUSES, status),
                action=_(ACTION_LABELS[action]))
    if action == "claim" and status != "open":
        message += " " + _("可能已被其他人抢先认领，请刷新后选择其他需求。")
    return Conflict(message)


def note(session: Session, need: Need, actor_id: int | None, reason: str) -> None:
    """A step that leaves the status as it is (an extension, a transfer) still goes into the history."""
    session.add(NeedHistory(need_id=need.id, from_status=need.status, to_status=need.status, actor_id=actor_id,
                            reason=reason, at=utcnow()))
