"""Re-filing the chain entries a 救助项目 pattern covers after staff map it, through corrections (the chain
is append-only: an imported payment is never edited, see ledger/corrections.recategorise).

Covered: effective government aid (the last of each line of corrections, voids left out, ledger/effective.py)
in the actor's region, whose item's longest mapped pattern is now this one: an item a longer pattern files
elsewhere is left alone. Only entries whose effective category or goods kind differs get a correction, so
saving a mapping twice, or after a colleague of another county already re-filed theirs, appends nothing
more. The mapping is platform-wide but a correction is not: staff of each county re-file their own
entries by saving the row (the page says how many of theirs still differ)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ..auth.access import in_scope_sql
from ..ledger import corrections, effective
from ..ledger.models import LedgerEntry
from ..registry.models import Household
from ..vocabulary import CATEGORIES
from .mapping import UNMAPPED_CATEGORY, AidMapping

# Corrections appended per save: each is a locked, hashed append, so a save stays a request's work; the
# rest waits for the next save (the page reports how many remain).
MAX_PER_SAVE = 2000


@dataclass
class Refiled:
    done: int = 0
    remaining: int = 0


def _spaceless(column):
    """As mapping.normal reads an item: 春节 慰问金 is 春节慰问金."""
    return func.replace(func.replace(column, " ", ""), "\u3000", "")


def pending(session: Session, actor, mapping: AidMapping, pattern: str) -> list[LedgerEntry]:
    """The effective entries in the actor's scope that `pattern` files and that are filed otherwise."""
    query = select(LedgerEntry).where(
        LedgerEntry.source == "government", _spaceless(LedgerEntry.title).contains(pattern, autoescape=True),
        in_scope_sql(actor, LedgerEntry.region_code), effective.is_effective(),
    ).order_by(LedgerEntry.household_id, LedgerEntry.seq)
    found = []
    for entry in session.scalars(query.execution_options(yield_per=1000)):
        mapped = mapping.lookup(corrections.original_title(entry))
        if mapped is None or mapped.pattern != pattern:
            continue
        if (entry.category, entry.item_key) != (mapped.category, mapped.goods_kind):
            found.append(entry)
    return found


def refile(session: Session, actor, mapping: AidMapping, pattern: str, limit: int = MAX_PER_SAVE) -> Refiled:
    entries = pending(session, actor, mapping, pattern)
    mapped = mapping.lookup(pattern)
    category = mapped.category if mapped else UNMAPPED_CATEGORY
    reason = f"救助项目「{pattern}」归入{CATEGORIES.get(category, category)}" + \
        (f"（物资种类：{mapped.goods_kind}）" if mapped and mapped.goods_kind else "")
    households = {}
    for entry in entries[:limit]:
        if entry.household_id not in households:
            households[entry.household_id] = session.get(Household, entry.household_id)
        corrections.recategorise(session, actor, households[entry.household_id], entry, category,
                                 mapped.goods_kind if mapped else None,
                                 f"{reason}（原为{CATEGORIES.get(entry.category, entry.category)}）")
    done = min(len(entries), limit)
    return Refiled(done=done, remaining=len(entries) - done)
