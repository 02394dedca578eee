"""Whether the chains are intact: every entry against its predecessor, every chain's end against its head,
and the facts that point at entries (verified fulfilments, corrections) against the chains.

One ordered pass over the entries and one over the heads, merged by household: no per-household query,
so it stays linear on a city's ledger. Breaks name the household by 户编号 and 对象编号 (looked up for the
few reported, after the pass). Heads against the keyed checkpoint: ledger/checkpoints.py."""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..registry.models import Household
from .models import LedgerEntry, LedgerHead
from .service import GENESIS, HASHED_FIELDS, digest_of

TRUNCATED = "缺少末尾记录（截断）"
_BATCH = 5000


@dataclass
class Break:
    household_id: int | None  # None: a checkpoint that does not hold names no single chain
    seq: int | None
    entry_id: int | None
    problem: str
    household_no: str | None = None
    public_code: str | None = None

    def describe(self) -> str:
        if self.household_id is None:
            return self.problem
        return (f"户编号 {self.household_no or '（无）'}/对象编号 {self.public_code} 第{self.seq}条: {self.problem}"
                f"  (household_id={self.household_id} entry_id={self.entry_id})")


def first_break(session: Session) -> Break | None:
    """The first chain that does not hold, named; None when every chain does."""
    found = breaks(session)
    try:
        broken = next(found, None)
    finally:
        found.close()  # closes the server-side cursors of an unfinished walk
    return name(session, [broken])[0] if broken else None


def breaks(session: Session) -> Iterator[Break]:
    """Every broken chain (its first problem), in household order, then the facts the chains have lost."""
    reported = set()
    for broken in _walk(session):
        reported.add(broken.household_id)
        yield broken
    yield from (b for b in missing_facts(session) if b.household_id not in reported)


def _walk(session: Session) -> Iterator[Break]:
    table = LedgerEntry.__table__
    # Plain rows, the hashed fields by position after id and entry_hash: no objects, no lookups by name.
    entries = session.execute(select(table.c.id, table.c.entry_hash, *(table.c[name] for name in HASHED_FIELDS))
                              .order_by(table.c.household_id, table.c.seq).execution_options(yield_per=_BATCH))
    heads = session.execute(select(LedgerHead.household_id, LedgerHead.seq, LedgerHead.entry_hash)
                            .order_by(LedgerHead.household_id).execution_options(yield_per=_BATCH))
    try:
        head = next(heads, None)
        for household_id, chain in groupby(entries, key=lambda row: row.household_id):
            while head is not None and head.household_id < household_id:
                yield _headless_end(head)  # a head whose chain is gone altogether
                head = next(heads, None)
            own = head if head is not None and head.household_id == household_id else None
            if own is not None:
                head = next(heads, None)
            broken = _check_chain(household_id, chain, own)
            if broken:
                yield broken
        while head is not None:
            yield _headless_end(head)
            head = next(heads, None)
    finally:
        entries.close()
        heads.close()


def _check_chain(household_id: int, chain, head) -> Break | None:
    expected_seq, prev, last = 1, GENESIS, None
    for entry in chain:
        if entry.seq != expected_seq:
            return Break(household_id, expected_seq, entry.id, f"缺少第{expected_seq}条（下一条为第{entry.seq}条）")
        if entry.prev_hash != prev:
            return Break(household_id, entry.seq, entry.id, "与上一条的链接不符")
        if digest_of(entry[2:]) != entry.entry_hash:
            return Break(household_id, entry.seq, entry.id, "内容与哈希不符（记录被改动）")
        prev, expected_seq, last = entry.entry_hash, expected_seq + 1, entry
    if head is None:
        return Break(household_id, last.seq, last.id, "链上有记录而无链头（链头被删除，或记录未经记账程序写入）")
    if head.seq > last.seq:
        return Break(household_id, last.seq + 1, None, f"{TRUNCATED}：链头为第{head.seq}条，链上只到第{last.seq}条")
    if head.seq < last.seq:
        return Break(household_id, head.seq + 1, last.id, f"链头停在第{head.seq}条，其后的记录未经记账程序写入")
    if head.entry_hash != last.entry_hash:
        return Break(household_id, last.seq, last.id, "末条记录与链头的哈希不符（末条被替换）")
    return None


def _headless_end(head) -> Break:
    return Break(head.household_id, 1, None, f"{TRUNCATED}：链头为第{head.seq}条，链上已无记录")


def missing_facts(session: Session) -> Iterator[Break]:
    """Entries other records prove existed: every verified fulfilment has its entry (verify appends it in
    the same transaction), and every correction's target is on the chain. These catch a removed entry
    even where its head was removed too, for entries that something points at."""
    from ..fulfilment.models import Fulfilment
    from ..needs.models import Need

    recorded = select(LedgerEntry.fulfilment_id).where(LedgerEntry.fulfilment_id.is_not(None))
    lost = session.execute(
        select(Fulfilment.id, Household.id)
        .join(Need, Need.id == Fulfilment.need_id).join(Household, Household.id == Need.household_id)
        .where(Fulfilment.status == "verified", Fulfilment.id.not_in(recorded))
        .order_by(Household.id, Fulfilment.id).limit(1)
    ).first()
    if lost:
        fulfilment_id, household_id = lost
        yield Break(household_id, _next_seq(session, household_id), None,
                    f"{TRUNCATED}：已核验的帮扶（凭证 {fulfilment_id}）不在救助链上")
    target = aliased(LedgerEntry)
    orphan = session.execute(
        select(LedgerEntry.household_id, LedgerEntry.seq, LedgerEntry.id, LedgerEntry.corrects_id)
        .outerjoin(target, target.id == LedgerEntry.corrects_id)
        .where(LedgerEntry.corrects_id.is_not(None), target.id.is_(None))
        .order_by(LedgerEntry.household_id, LedgerEntry.seq).limit(1)
    ).first()
    if orphan:
        household_id, seq, entry_id, corrects_id = orphan
        yield Break(household_id, seq, entry_id, f"缺少记录：第{seq}条更正的记录（id {corrects_id}）已不存在")


def _next_seq(session: Session, household_id: int) -> int:
    last = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.household_id == household_id))
    return (last or 0) + 1


def name(session: Session, found: list[Break]) -> list[Break]:
    """Fill in 户编号 and 对象编号 of the reported breaks, in one query."""
    ids = {b.household_id for b in found if b.household_id is not None}
    if ids:
        names = {row.id: row for row in session.execute(
            select(Household.id, Household.household_no, Household.public_code).where(Household.id.in_(ids)))}
        for broken in found:
            if broken.household_id in names:
                broken.household_no = names[broken.household_id].household_no
                broken.public_code = names[broken.household_id].public_code
    return found
