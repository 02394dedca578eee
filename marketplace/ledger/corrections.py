"""Corrections (更正): the chain is append-only, so a wrong entry is never edited. Staff append a
kind="correction" entry naming the entry it corrects (corrects_id) with the right figures, or zeros
to void it (作废), and the reason. Reports count the last entry of each line of corrections."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import require_staff_for
from ..errors import Conflict, Invalid, NotFound
from ..i18n import _
from ..needs.privacy import Identity, scan
from ..registry.models import Household
from . import effective, service
from .models import LedgerEntry


@dataclass(frozen=True)
class CorrectionInput:
    reason: str
    void: bool = False
    amount_fen: int | None = None
    quantity: int | None = None
    hours: float | None = None


is_void = effective.is_void  # the chain page marks voids by the rule every count uses


def corrected_by(session: Session, entry: LedgerEntry) -> LedgerEntry | None:
    # Through the household's index: corrects_id has none, and the correction sits on the same chain.
    query = select(LedgerEntry).where(LedgerEntry.household_id == entry.household_id,
                                      LedgerEntry.corrects_id == entry.id)
    return session.scalars(query).first()


def correct(session: Session, actor, household: Household, entry_id: int, data: CorrectionInput,
            vault=None) -> LedgerEntry:
    """Append the correction of entry `entry_id` of `household` to its chain. Staff of the household's
    region only; the reason is required and, like any staff text kept on the chain, must not identify
    the household (it goes into the 衔接台账)."""
    require_staff_for(actor, household.region_code, duty="need_posting")
    entry = session.get(LedgerEntry, entry_id)
    if entry is None or entry.household_id != household.id:
        raise NotFound(_("该救助记录不存在。"))
    reason = (data.reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("请填写更正原因。"), "reason")
    if len(reason) > 500:
        raise Invalid(_("更正原因不得超过500字。"), "reason")
    scan({"reason": reason}, Identity.of(household, vault), labels={"reason": _("更正原因")})
    if corrected_by(session, entry) is not None:
        raise Conflict(_("该记录已被更正过，请更正最新的那条更正记录。"))
    if data.void:
        # Zero where the entry had a figure: the void correction keeps the shape of what it cancels.
        amount = 0 if entry.amount_fen is not None else None
        quantity = 0 if entry.quantity is not None else None
        hours = 0.0 if entry.hours is not None else None
        title = f"作废：{original_title(entry)}"  # stored on the chain: stays Chinese (original_title reads it)
    else:
        if data.amount_fen is None and data.quantity is None and data.hours is None:
            raise Invalid(_("请填写更正后的金额、数量或服务时长，或选择作废。"), "amount")
        if any(v is not None and v <= 0 for v in (data.amount_fen, data.quantity, data.hours)):
            raise Invalid(_("更正后的数值须大于0；要取消该记录请选择作废。"), "amount")
        amount = data.amount_fen if data.amount_fen is not None else entry.amount_fen
        quantity = data.quantity if data.quantity is not None else entry.quantity
        hours = data.hours if data.hours is not None else entry.hours
        title = f"更正：{original_title(entry)}"
    return service.append(
        session, household, source=entry.source, kind="correction", category=entry.category, title=title[:120],
        amount_fen=amount, quantity=quantity, unit=entry.unit, hours=hours, occurred_on=entry.occurred_on,
        organization_id=entry.organization_id, need_id=entry.need_id, recorded_by_id=actor.id,
        corrects_id=entry.id, note=reason, **_facts(entry),
    )


def recategorise(session: Session, actor, household: Household, entry: LedgerEntry, category: str,
                 item_key: str | None, reason: str) -> LedgerEntry:
    """Re-file an entry under another category (and goods kind) when its 救助项目 is mapped anew: a
    correction with the same figures, the new category and item_key, and the reason. `entry` must be the
    last of its line and not a void (aid_items/recategorise.py finds those); staff with the rule-
    configuration duty for the household's region only."""
    require_staff_for(actor, household.region_code, duty="rules")
    if entry.household_id != household.id or is_void(entry) or corrected_by(session, entry) is not None:
        raise Conflict(_("只能更正该户最新且未作废的记录。"))
    return service.append(
        session, household, source=entry.source, kind="correction", category=category,
        title=f"更正：{original_title(entry)}"[:120], amount_fen=entry.amount_fen, quantity=entry.quantity,
        unit=entry.unit, hours=entry.hours, occurred_on=entry.occurred_on, organization_id=entry.organization_id,
        need_id=entry.need_id, recorded_by_id=actor.id, corrects_id=entry.id, note=reason[:500],
        **{**_facts(entry), "item_key": item_key},
    )


def _facts(entry: LedgerEntry) -> dict:
    """What duplicate rules compare (period, member, item), and who paid (funding, purchase project), stay
    with the corrected aid."""
    names = ("period_start", "period_end", "member_ref", "item_key", "funding", "purchase_project_id")
    return {name: getattr(entry, name) for name in names if hasattr(entry, name)}


def shown_title(entry: LedgerEntry) -> str:
    """The title in the reader's language: a correction's stored title starts with a Chinese prefix (更正：,
    作废：) that stays as stored; the page translates the prefix, the aid's own title is data."""
    title = original_title(entry)
    if entry.title.startswith("作废："):
        return _("作废：%(title)s", title=title)
    if entry.title.startswith("更正："):
        return _("更正：%(title)s", title=title)
    return entry.title


def original_title(entry: LedgerEntry) -> str:
    for prefix in ("更正：", "作废："):
        if entry.title.startswith(prefix):
            return entry.title[len(prefix):]
    return entry.title

