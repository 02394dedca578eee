"""Each organisation's effective chain entries and amount (organization_total), the figures of the public
directory (organizations.directory). Kept by the ledger writer: `service.append` calls `entry_appended` in
the transaction that appends the entry, so the totals never lag the chain and a page reads one row per
organisation instead of summing the whole ledger.

The rule is every report's (ledger/effective.py): a line of corrections counts once, by its latest entry,
and a voided entry (a correction whose figures are all zero or empty) not at all. So appending an
entry adds its figures if it counts; appending a correction also takes away the figures of the entry it
corrects, which counted until now unless something had already superseded it. Each change is one
conditional upsert (`entries = entries + delta`): concurrent appends add up, never overwrite.

Distinct households helped are not kept: the directory does not show them, and a distinct count cannot be
kept by deltas (it would need an (organisation, household) table with a count per pair)."""

from collections import Counter

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from . import effective
from .models import LedgerEntry, OrganizationTotal

_TABLE = OrganizationTotal.__table__


def counts(entry: LedgerEntry) -> bool:
    """Does the entry count as aid while nothing corrects it (effective.is_effective's other half)?"""
    return not effective.is_void(entry)


def entry_appended(session: Session, entry: LedgerEntry) -> None:
    entries: Counter = Counter()
    amounts: Counter = Counter()
    if entry.organization_id is not None and counts(entry):
        entries[entry.organization_id] += 1
        amounts[entry.organization_id] += entry.amount_fen or 0
    if entry.corrects_id is not None:
        corrected = session.get(LedgerEntry, entry.corrects_id)
        if corrected is not None and corrected.organization_id is not None and counts(corrected) \
                and not _superseded_before(session, corrected, entry):
            entries[corrected.organization_id] -= 1
            amounts[corrected.organization_id] -= corrected.amount_fen or 0
    _upsert(session, entries, amounts)


def _superseded_before(session: Session, corrected: LedgerEntry, entry: LedgerEntry) -> bool:
    """Had another correction already taken `corrected` out of the totals? (corrections.correct refuses
    a second correction of one entry; this keeps the totals right should another writer not.)"""
    query = select(LedgerEntry.id).where(LedgerEntry.household_id == corrected.household_id,
                                         LedgerEntry.corrects_id == corrected.id, LedgerEntry.id != entry.id)
    return session.scalar(query.limit(1)) is not None


def _upsert(session: Session, entries: Counter, amounts: Counter) -> None:
    rows = [{"organization_id": org, "entries": entries[org], "amount_fen": amounts[org]}
            for org in sorted(set(entries) | set(amounts)) if entries[org] or amounts[org]]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_TABLE)
    statement = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.organization_id],
        set_={"entries": _TABLE.c.entries + statement.excluded.entries,
              "amount_fen": _TABLE.c.amount_fen + statement.excluded.amount_fen})
    session.execute(statement, rows)


def totals(session: Session, org_ids: list[int]) -> dict[int, tuple[int, int]]:
    """organisation id -> (entries, amount in fen), for those that have any."""
    if not org_ids:
        return {}
    query = select(OrganizationTotal.organization_id, OrganizationTotal.entries, OrganizationTotal.amount_fen) \
        .where(OrganizationTotal.organization_id.in_(org_ids))
    return {org: (n, int(amount)) for org, n, amount in session.execute(query)}


def full_count():
    """The figures from the whole ledger: (organization_id, entries, amount_fen) rows."""
    return (select(LedgerEntry.organization_id, func.count(LedgerEntry.id).label("entries"),
                   func.coalesce(func.sum(LedgerEntry.amount_fen), 0).label("amount_fen"))
            .where(LedgerEntry.organization_id.is_not(None), effective.is_effective())
            .group_by(LedgerEntry.organization_id))


def recount(session: Session) -> None:
    """Rebuild the table from the ledger (one pass over every entry)."""
    session.execute(delete(OrganizationTotal))
    session.execute(insert(_TABLE).from_select(["organization_id", "entries", "amount_fen"], full_count()))
    session.flush()


def recount_if_empty(session: Session) -> bool:
    if session.scalar(select(OrganizationTotal.organization_id).limit(1)) is not None:
        return False
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.organization_id.is_not(None)).limit(1)) is None:
        return False
    recount(session)
    return True
