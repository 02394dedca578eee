"""The single writer of assistance-chain entries, and the check that the chains are intact."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..registry.models import Household
from .models import LedgerEntry

GENESIS = "0" * 64

_HASHED = (
    "household_id", "seq", "region_code", "source", "kind", "category", "title", "amount_fen", "quantity",
    "unit", "hours", "occurred_on", "organization_id", "need_id", "fulfilment_id", "recorded_by_id",
    "verified_by_id", "corrects_id", "note", "created_at", "prev_hash",
)


def entry_digest(entry: LedgerEntry) -> str:
    payload = {}
    for name in _HASHED:
        value = getattr(entry, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        payload[name] = value
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
    """Walk every chain in order; the first entry whose hash, link or sequence does not hold."""
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
    return None
