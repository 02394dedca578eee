"""Effective chain entries: what counts as aid once corrections are applied. Every count of aid uses this
one definition (blind spots and their last-aid dates, the cliff chart, who-does-what-where, directory
totals, recommendations, the duplicate check, and the report snapshots built from those reports).

The chain is append-only, so a correction is a new entry naming the one it corrects (corrections.py); a
correction may itself be corrected, which makes a line: original <- correction <- correction ... An entry
is effective when nothing corrects it (it is the last of its line) and it is not a void, a correction
with no figure left (作废). The effective row is that last correction itself, so it carries the line's
current figures and category (a correction may re-file an entry under another category) and, copied
from the original, its date, organisation, need and duplicate-rule facts.

Why NOT EXISTS correlated through the chain rather than `id NOT IN (all corrects_id)`: a correction sits
on the chain of the entry it corrects, after it, so the lookup is one probe of the (household_id, seq)
index among a handful of rows, whereas NOT IN reads every correction of the ledger first; the blind-spot
report asks per household over a whole province's registry."""

from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.orm import aliased

from .models import LedgerEntry


def voids(entry=LedgerEntry):
    """SQL: `entry` is a void. Real aid always carries a positive figure (imports and evidence refuse
    zero), and corrections.correct refuses non-positive figures, so a correction whose figures are all
    zero or empty can only be a void."""
    return and_(entry.kind == "correction", func.coalesce(entry.amount_fen, 0) == 0,
                func.coalesce(entry.quantity, 0) == 0, func.coalesce(entry.hours, 0) == 0)


def superseded(entry=LedgerEntry):
    """SQL: a later entry of the same chain corrects `entry`. A correction is appended after what it
    corrects (the writer gives it the chain's next number, and the foreign key needs its target to exist),
    so the probe reads only the entries after `entry` through the (household_id, seq) index: none at all
    for a chain's newest entry, which the recent-aid questions mostly meet."""
    later = aliased(LedgerEntry)
    return exists().where(later.household_id == entry.household_id, later.seq > entry.seq,
                          later.corrects_id == entry.id)


def is_effective(entry=LedgerEntry):
    """SQL: `entry` (LedgerEntry or an alias of it) counts as aid. Add it to the WHERE clause of any
    query over chain entries that counts, sums or compares aid."""
    return and_(not_(superseded(entry)), not_(voids(entry)))


def effective_entries(*where):
    """SELECT the effective entries (whole rows) matching `where`."""
    return select(LedgerEntry).where(is_effective(), *where)


def is_void(entry: LedgerEntry) -> bool:
    """The Python twin of `voids`, for one entry in hand."""
    return entry.kind == "correction" and not any((entry.amount_fen, entry.quantity, entry.hours))

