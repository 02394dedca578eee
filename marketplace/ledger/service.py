"""The single writer of assistance-chain entries and of their heads (checked by ledger/integrity.py)."""

import hashlib
import json

from sqlalchemy import func, insert, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..registry.models import Household
from . import org_totals
from .models import LedgerEntry, LedgerHead

GENESIS = "0" * 64

_HASHED = (
    "household_id", "seq", "region_code", "source", "kind", "category", "title", "amount_fen", "quantity",
    "unit", "hours", "occurred_on", "organization_id", "need_id", "fulfilment_id", "recorded_by_id",
    "verified_by_id", "corrects_id", "note", "created_at", "prev_hash",
)
# Added with the duplicate rules (migration 0003). Hashed only when set, so entries written before them
# keep their digests; setting or clearing one afterwards changes the payload and breaks the chain.
# `confirmation` came with delivery confirmation (migration 0016), on the same terms.
# `funding` and `purchase_project_id` came with 政府购买服务 (migration 0018), on the same terms.
_HASHED_WHEN_SET = ("period_start", "period_end", "member_ref", "item_key", "confirmation", "funding",
                    "purchase_project_id")


HASHED_FIELDS = _HASHED + _HASHED_WHEN_SET
_DATED = ("occurred_on", "created_at")  # the only fields of _HASHED that are dates, both required


def entry_digest(entry: LedgerEntry) -> str:
    return digest_of([getattr(entry, name) for name in HASHED_FIELDS])


def digest_of(values) -> str:
    """The digest of an entry's HASHED_FIELDS values, in that order (the verifier streams plain rows)."""
    payload = dict(zip(_HASHED, values[:len(_HASHED)], strict=True))
    for name in _DATED:
        payload[name] = payload[name].isoformat()
    for name, value in zip(_HASHED_WHEN_SET, values[len(_HASHED):], strict=True):
        if value is not None:
            payload[name] = value.isoformat() if hasattr(value, "isoformat") else value
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(session: Session, household: Household, **fields) -> LedgerEntry:
    """Append one entry to the household's chain and move its head, in one transaction. The household row
    is locked on PostgreSQL (SQLite serialises writers with BEGIN IMMEDIATE), so two appends cannot take
    the same sequence number. The sequence number and previous hash come from the head, not from the
    entries: an entry deleted from the end leaves the head where it was, and the next entry shows the gap."""
    session.execute(select(Household.id).where(Household.id == household.id).with_for_update())
    head = session.scalars(select(LedgerHead).where(LedgerHead.household_id == household.id)
                           .execution_options(populate_existing=True)).first()
    entry = LedgerEntry(
        household_id=household.id,
        seq=(head.seq + 1) if head else 1,
        region_code=household.region_code,
        prev_hash=head.entry_hash if head else GENESIS,
        entry_hash="",
        **fields,
    )
    entry.entry_hash = entry_digest(entry)
    session.add(entry)
    if head is None:
        head = LedgerHead(household_id=household.id, seq=0, entry_hash=GENESIS)
        session.add(head)
    head.seq, head.entry_hash, head.updated_at = entry.seq, entry.entry_hash, entry.created_at
    session.flush()
    org_totals.entry_appended(session, entry)  # the directory's figures move with the chain
    return entry


def fill_heads(session: Session) -> int:
    """Heads for chains loaded around `append` (a benchmark's bulk insert): each chain's newest entry, in
    one statement. Chains that already have a head keep it."""
    latest = aliased(LedgerEntry)
    newest = (select(func.max(latest.seq)).where(latest.household_id == LedgerEntry.household_id)
              .scalar_subquery())
    rows = select(LedgerEntry.household_id, LedgerEntry.seq, LedgerEntry.entry_hash, LedgerEntry.created_at).where(
        LedgerEntry.seq == newest,
        LedgerEntry.household_id.not_in(select(LedgerHead.household_id)))
    fill = insert(LedgerHead.__table__).from_select(["household_id", "seq", "entry_hash", "updated_at"], rows)
    return session.execute(fill.execution_options(preserve_rowcount=True)).rowcount


def chain(session: Session, household_id: int) -> list[LedgerEntry]:
    return list(session.scalars(
        select(LedgerEntry).where(LedgerEntry.household_id == household_id).order_by(LedgerEntry.seq.desc())
    ))


def first_break(session: Session):
    """The first chain that does not hold (ledger/integrity.py), named by 户编号 and 对象编号."""
    from .integrity import first_break as walk

    return walk(session)
