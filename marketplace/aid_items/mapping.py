"""Reading the 救助项目 table: which category (and goods kind) an imported item is filed under, and the
bookkeeping the aid import does with it (how often each pattern was met, and the items nobody mapped).

Only mapped rows match. A row without a category is an item the import met that matched nothing: listed
for mapping on /staff/aid-items, its entries filed as 其他 meanwhile; once staff map it (or a pattern
that covers it), the next import files it by that mapping."""

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ..ledger.models import AidItem
from ..modelbase import utcnow
from .defaults import DEFAULT_AID_ITEMS

UNMAPPED_CATEGORY = "other"
_MAX_PATTERN = 60


@dataclass(frozen=True)
class Mapped:
    pattern: str
    category: str
    goods_kind: str | None


def normal(text: str | None) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "").casefold()


class AidMapping:
    """The mapped patterns, longest first; looks an item up once (a file repeats a few items many times)."""

    def __init__(self, rows: dict[str, tuple[str, str | None]]):
        self._patterns = sorted(((normal(p), Mapped(p, c, k)) for p, (c, k) in rows.items()),
                                key=lambda pair: (-len(pair[0]), pair[0]))
        self._cache: dict[str, Mapped | None] = {}

    def lookup(self, item: str) -> Mapped | None:
        if item not in self._cache:
            text = normal(item)
            self._cache[item] = next((m for p, m in self._patterns if p and p in text), None)
        return self._cache[item]

    def with_row(self, pattern: str, category: str, goods_kind: str | None) -> "AidMapping":
        rows = {m.pattern: (m.category, m.goods_kind) for _, m in self._patterns}
        rows[pattern] = (category, goods_kind)
        return AidMapping(rows)


def load(session: Session) -> AidMapping:
    """The defaults, overlaid by every mapped row (staff edits win over a default of the same pattern)."""
    rows = {p: (c, k) for p, c, k in DEFAULT_AID_ITEMS}
    for pattern, category, kind in session.execute(
            select(AidItem.pattern, AidItem.category, AidItem.goods_kind).where(AidItem.category.is_not(None))):
        rows[pattern] = (category, kind)
    return AidMapping(rows)


def unmapped_key(item: str) -> str:
    """The pattern an unmapped item is recorded under: the item itself, as the file wrote it."""
    return re.sub(r"[\s\u3000]+", "", item)[:_MAX_PATTERN]


def record_seen(session: Session, mapped: Counter, unmapped: Counter) -> None:
    """Count the entries an import appended per pattern: `mapped` by the pattern that filed them (a row
    is added for a default that has none yet), `unmapped` by the item itself, upserted as a row without a
    category (origin "import") so it is listed for mapping. One statement per pattern, a few per batch.
    INSERT … ON CONFLICT: two imports meeting the same new item at once add to one row."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    defaults = {p: (c, k) for p, c, k in DEFAULT_AID_ITEMS}
    for counts, origin in ((mapped, "default"), (unmapped, "import")):
        for pattern, n in sorted(counts.items()):
            category, kind = defaults.get(pattern, (None, None)) if origin == "default" else (None, None)
            statement = insert(AidItem).values(pattern=pattern, category=category, goods_kind=kind, origin=origin,
                                               seen=n, updated_at=now)
            session.execute(statement.on_conflict_do_update(index_elements=["pattern"],
                                                            set_={"seen": AidItem.seen + n}))
