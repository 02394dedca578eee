"""The places the public tables are laid out by: the region tree above every place that has a figure or
registered households, read from the Region table (GB/T 2260 codes, parent links).

A scope's rows are its children in that tree. A scope with a single child and no figures of its own stands
for the same households as that child, so it descends until there are several (the root of a one-city
deployment shows the city's counties; a county with one populated township shows that township's
villages, or the township itself when nothing lies below it). That place, the scope's `effective` place, is
also what its figures are keyed by in suppression (figures.py): the same figure is one key wherever it
appears, as the city's row for a county or as the county's own total. Figures recorded on a place that also
has children (a county-level entry beside its townships) form a row of their own, keyed "<code>/self"."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlmodel import Session

from ..regions.models import Region

SCOPE_LEVELS = ("prefecture", "county")  # besides the root, the scopes the figures are computed for


@dataclass(frozen=True)
class Row:
    code: str  # the place shown
    key: str  # what its figures stand for (see the module's docstring)
    name: str


def _guessed_parent(code: str) -> str | None:
    """The parent of a code the Region table does not hold, from the code's structure."""
    if len(code) in (9, 12):
        return code[:len(code) - 3]
    if len(code) != 6 or code.endswith("0000"):
        return None
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


def _guessed_level(code: str) -> str:
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    return "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "county"


class Places:
    def __init__(self, parents: dict[str, str | None], names: dict[str, str], levels: dict[str, str],
                 leaves: set[str], registered: set[str]):
        self.parents, self.names, self.levels = parents, names, levels
        self.leaves, self.registered = set(leaves), set(registered)
        self.chains: dict[str, tuple[str, ...]] = {}
        self.children: dict[str | None, set[str]] = defaultdict(set)
        for leaf in self.leaves:
            chain = self._chain(leaf)
            self.chains[leaf] = chain
            for parent, child in zip((None, *chain), chain, strict=False):
                self.children[parent].add(child)
        self.effective = cache(self._effective)
        self.rows = cache(self._rows)
        self.row_of = cache(self._row_of)

    @classmethod
    def load(cls, session: Session, leaves: set[str], registered: set[str]) -> "Places":
        """The tree above `leaves` (places with figures) and `registered` (places with households), in a
        few statements: one per level of the tree."""
        parents, names, levels = {}, {}, {}
        todo = set(leaves) | set(registered)
        while todo:
            ordered = sorted(todo)
            for start in range(0, len(ordered), 500):
                query = (select(Region.code, Region.name, Region.level, Region.parent_code)
                         .where(Region.code.in_(ordered[start:start + 500])))
                for code, name, level, parent in session.execute(query):
                    parents[code], names[code], levels[code] = parent if parent != code else None, name, level
            for code in todo - parents.keys():
                parents[code], names[code], levels[code] = _guessed_parent(code), code, _guessed_level(code)
            todo = {parent for parent in parents.values() if parent is not None and parent not in parents}
        return cls(parents, names, levels, set(leaves) | set(registered), registered)

    def _chain(self, code: str) -> tuple[str, ...]:
        """The codes from the top of the tree down to `code`."""
        chain, seen = [], set()
        while code is not None and code not in seen:
            seen.add(code)
            chain.append(code)
            code = self.parents.get(code)
        return tuple(reversed(chain))

    def name(self, code: str | None) -> str:
        return "" if code is None else self.names.get(code, code)

    def _effective(self, code: str | None) -> str | None:
        """The place a scope's tables lay out, descending while it has a single child and no figures of its
        own (None: the whole platform, with several top-level places)."""
        while True:
            kids = self.children.get(code, ())
            if len(kids) != 1 or code in self.leaves:
                return code
            (code,) = kids

    def key(self, code: str | None) -> str:
        """The key of a scope's (or a row's) figures: its effective place; "" for the whole platform."""
        return self.effective(code) or ""

    def _rows(self, place: str | None) -> tuple[Row, ...]:
        """The rows of an effective place's tables: its own figures first (if it has any), then each child."""
        kids = sorted(self.children.get(place, ()))
        rows = [Row(kid, self.key(kid), self.name(kid)) for kid in kids]
        if place is not None and place in self.leaves:
            rows.insert(0, Row(place, f"{place}/self" if kids else place, self.name(place)))
        return tuple(rows)

    def rows_of_key(self, key: str) -> tuple[Row, ...]:
        """The rows whose figures add up to the figure keyed `key` (none for a place's own row)."""
        if "/" in key:
            return ()
        place = key or None
        return self.rows(place) if self.effective(place) == place else ()

    def _row_of(self, place: str | None) -> dict[str, int]:
        """Each place with figures under `place` -> the index of its row in rows(place)."""
        index = {row.code: n for n, row in enumerate(self.rows(place))}
        found = {}
        for leaf, chain in self.chains.items():
            if place is None:
                found[leaf] = index[chain[0]]
            elif place in chain:
                depth = chain.index(place)
                found[leaf] = index[chain[depth + 1] if depth + 1 < len(chain) else place]
        return found

    def scopes(self) -> list[tuple[str, str]]:
        """(code, name) of every scope: the whole platform first (named for the place it descends to), then
        each prefecture and county where households are registered."""
        codes = {code for leaf in self.registered for code in self.chains.get(leaf, ())
                 if self.levels.get(code) in SCOPE_LEVELS}
        return [("", self.name(self.effective(None)))] + [(code, self.name(code)) for code in sorted(codes)]
