"""The single writer of assistance-chain entries, and the check that the chains are intact."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..registry.models import Household
from . import org_totals
from .models import LedgerEntry

GENESIS = "0" * 64

_HASHED = (
    "household_id", "seq", "region_code", "source", "kind", "category", "title", "amount_fen", "quantity",
    "unit", "hours", "occurred_on", "organization_id", "need_id", "fulfilment_id", "recorded_by_id",
    "verified_by_id", "corrects_id", "note", "created_at", "prev_hash",
)
# Added with the duplicate rules (migration 0003). Hashed only when set, so entries written before them
# keep their digests; setting or clearing one afterwards changes the payload and breaks the chain.
_HASHED_WHEN_SET = ("period_start", "period_end", "member_ref", "item_key")


def entry_digest(entry: LedgerEntry) -> str:
    payload = {}
    for name in _HASHED:
        value = getattr(entry, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        payload[name] = value
    for name in _HASHED_WHEN_SET:
        value = getattr(entry, name)
        if value is not None:
            payload[name] = value.isoformat() if hasattr(value, "isoformat") else value
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(session: Session, household: Household, **fields) -> LedgerEntry:
    """Append one entry to the household's chain. The household row is locked on PostgreSQL (SQLite
    serialises writers with BEGIN IMMEDIATE), so two appends cannot take the same sequence number."""
    session.execute(select(Household.id).where(Household.id == household.id).with_for_update())
    last = session.scalars(
        select(LedgerEntry).where(LedgerEntry.household_id == household.id).order_by(LedgerEntry.seq.desc()).limit(1)
    ).first()
    entry = LedgerEntry(
        household_id=household.id,
        seq=(last.seq + 1) if last else 1,
        region_code=household.region_code,
        prev_hash=last.entry_hash if last else GENESIS,
        entry_hash="",
        **fields,
    )
    entry.entry_hash = entry_digest(entry)
    session.add(entry)
    session.flush()
    org_totals.entry_appended(session, entry)  # the directory's figures move with the chain
    return entry


def chain(session: Session, household_id: int) -> list[LedgerEntry]:
    return list(session.scalars(
        select(LedgerEntry).where(LedgerEntry.household_id == household_id).order_by(LedgerEntry.seq.desc())
    ))


@dataclass
class Break:
    household_id: int
    seq: int
    entry_id: int | None
    problem: str


def first_break(session: Session) -> Break | None:
    """Walk every chain in order; the first entry whose hash, link or sequence does not hold. Then the
    chains' ends: deleting the newest entries of a chain leaves a shorter chain that is intact in
    itself, so they are checked against the facts that point at them (see `missing_tail`)."""
    rows = session.scalars(select(LedgerEntry).order_by(LedgerEntry.household_id, LedgerEntry.seq))
    household, expected_seq, prev = None, 1, GENESIS
    for entry in rows:
        if entry.household_id != household:
            household, expected_seq, prev = entry.household_id, 1, GENESIS
        if entry.seq != expected_seq:
            return Break(household, expected_seq, entry.id, f"缺少第{expected_seq}条（下一条为第{entry.seq}条）")
        if entry.prev_hash != prev:
            return Break(household, entry.seq, entry.id, "与上一条的链接不符")
        if entry_digest(entry) != entry.entry_hash:
            return Break(household, entry.seq, entry.id, "内容与哈希不符（记录被改动）")
        prev, expected_seq = entry.entry_hash, expected_seq + 1
    return missing_tail(session)


def missing_tail(session: Session) -> Break | None:
    """An entry that other records prove existed but the chain no longer holds: every verified
    fulfilment has its entry (verify appends it in the same transaction), and every correction's target
    is on the chain. Without a stored head pointer this is how a removed last entry shows."""
    from ..fulfilment.models import Fulfilment
    from ..needs.models import Need

    recorded = select(LedgerEntry.fulfilment_id).where(LedgerEntry.fulfilment_id.is_not(None))
    lost = session.execute(
        select(Fulfilment.id, Household.id, Household.public_code)
        .join(Need, Need.id == Fulfilment.need_id).join(Household, Household.id == Need.household_id)
        .where(Fulfilment.status == "verified", Fulfilment.id.not_in(recorded))
        .order_by(Household.id, Fulfilment.id).limit(1)
    ).first()
    if lost:
        fulfilment_id, household_id, code = lost
        return Break(household_id, _next_seq(session, household_id), None,
                     f"缺少末尾记录：{code} 户已核验的帮扶（凭证 {fulfilment_id}）不在救助链上")
    target = aliased(LedgerEntry)
    orphan = session.execute(
        select(LedgerEntry.household_id, LedgerEntry.seq, LedgerEntry.id, LedgerEntry.corrects_id, Household.public_code)
        .join(Household, Household.id == LedgerEntry.household_id)
        .outerjoin(target, target.id == LedgerEntry.corrects_id)
        .where(LedgerEntry.corrects_id.is_not(None), target.id.is_(None))
        .order_by(LedgerEntry.household_id, LedgerEntry.seq).limit(1)
    ).first()
    if orphan:
        household_id, seq, entry_id, corrects_id, code = orphan
        return Break(household_id, seq, entry_id, f"缺少记录：{code} 户第{seq}条更正的记录（id {corrects_id}）已不存在")
    return None


def _next_seq(session: Session, household_id: int) -> int:
    last = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.household_id == household_id))
    return (last or 0) + 1
