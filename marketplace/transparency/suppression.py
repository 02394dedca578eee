"""Which public figures are withheld (阳光公示): statistical disclosure control, pure functions, no database.

Primary suppression: a figure standing for 1 to THRESHOLD-1 households is not published (a figure standing
for none is 0, and published as 0). Complementary suppression: whoever reads the tables knows how they add
up (a row and its row total, a column and its column total, the totals and the grand total, and across
tables: all categories are the sum of the categories, a place the sum of its rows, the window the sum of
its months). If one of those sums had exactly one figure withheld, it could be worked out by subtraction;
so in every such line a second figure is withheld: the published one standing for the fewest households
(not zero: a 0 hides nothing), the line's total when nothing else is left. Each new withholding can leave
another line with exactly one, so this runs until no line has exactly one withheld.

`protect` works on any figures named by hashable keys and any lines between them; transparency/figures.py
gives it every figure of every scope and category at once, so one figure is withheld everywhere it appears.
`suppress` is the same for one table with its totals. Medians add up to nothing: `median_withheld` is the
primary rule alone."""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .labels import THRESHOLD

Line = tuple[Sequence[Hashable], Hashable]  # (members, total): the members add up to the total


def is_small(households: int) -> bool:
    """The primary rule: a figure standing for 1 to THRESHOLD-1 households."""
    return 0 < households < THRESHOLD


def median_withheld(households: int) -> bool:
    """A median is published when it stands for THRESHOLD households or more."""
    return households < THRESHOLD


def _normalised(lines: Iterable[Line]) -> list[tuple[tuple, Hashable]]:
    """Each line once, its members without repeats. A line whose total is also a member says that the
    other members are zero (the same figure twice, as a one-column table with its row totals): no line."""
    seen, result = set(), []
    for members, total in lines:
        unique = tuple(dict.fromkeys(members))
        if total in unique or not unique:
            continue
        marker = (frozenset(unique), total)
        if marker not in seen:
            seen.add(marker)
            result.append((unique, total))
    return result


def protect(households: Mapping[Hashable, int], lines: Iterable[Line], *, complements: bool = True
            ) -> set[Hashable]:
    """The keys to withhold: primary suppression, then complements until no line has exactly one
    withheld figure. `households` names every published figure (in a fixed order: ties go to the figure
    named first) and how many households it stands for; every key of a line must be in it."""
    withheld = {key for key, count in households.items() if is_small(count)}
    if not complements:
        return withheld
    order = {key: n for n, key in enumerate(households)}
    lines = _normalised(lines)
    lines_of = defaultdict(list)
    for n, (members, total) in enumerate(lines):
        for key in (*members, total):
            lines_of[key].append(n)
    hidden = [sum(key in withheld for key in (*members, total)) for members, total in lines]
    waiting = deque(n for n, count in enumerate(hidden) if count == 1)
    while waiting:
        n = waiting.popleft()
        if hidden[n] != 1:
            continue
        key = _complement(*lines[n], households, order, withheld)
        withheld.add(key)
        for other in lines_of[key]:
            hidden[other] += 1
            if hidden[other] == 1:
                waiting.append(other)
    return withheld


def _complement(members: tuple, total: Hashable, households: Mapping, order: Mapping, withheld: set) -> Hashable:
    """The figure that hides least: the published member standing for the fewest households (not none),
    else the total, else (a line of zeros) any published member."""
    shown = [key for key in members if key not in withheld]
    standing = [key for key in shown if households[key] > 0]
    if standing:
        return min(standing, key=lambda key: (households[key], order[key]))
    if total not in withheld:
        return total
    return min(shown, key=order.__getitem__)


# --- one table ------------------------------------------------------------------------------------------

def table_lines(rows: int, cols: int, *, row_totals: bool, col_totals: bool, total: bool) -> list[Line]:
    """The additive lines of a table, over positions ("cell", i, j), ("row", i), ("col", j), ("total",).
    A table without totals in one direction has no lines in that direction."""
    lines: list[Line] = []
    if row_totals:
        lines += [([("cell", i, j) for j in range(cols)], ("row", i)) for i in range(rows)]
    if col_totals:
        lines += [([("cell", i, j) for i in range(rows)], ("col", j)) for j in range(cols)]
    if total and col_totals:
        lines.append(([("col", j) for j in range(cols)], ("total",)))
    if total and row_totals:
        lines.append(([("row", i) for i in range(rows)], ("total",)))
    return lines


@dataclass(frozen=True)
class Withheld:
    cells: list[list[bool]]
    row_totals: list[bool] | None
    col_totals: list[bool] | None
    total: bool | None

    def apply(self, cells, row_totals=None, col_totals=None, total=None):
        """The values as published: None where withheld. Returns (cells, row_totals, col_totals, total)."""
        def shown(values, hidden):
            return None if values is None else [None if h else v for v, h in zip(values, hidden, strict=True)]

        return ([shown(row, hidden) for row, hidden in zip(cells, self.cells, strict=True)],
                shown(row_totals, self.row_totals), shown(col_totals, self.col_totals),
                None if total is None or self.total else total)


def suppress(households: Sequence[Sequence[int]], row_totals: Sequence[int] | None = None,
             col_totals: Sequence[int] | None = None, total: int | None = None, *,
             complements: bool = True) -> Withheld:
    """Primary and complementary suppression of one table, given the households each cell and total
    stands for (None: the table has no such totals)."""
    rows, cols = len(households), len(households[0]) if households else 0
    counts: dict[Hashable, int] = {("cell", i, j): households[i][j] for i in range(rows) for j in range(cols)}
    counts.update({("row", i): n for i, n in enumerate(row_totals or ())})
    counts.update({("col", j): n for j, n in enumerate(col_totals or ())})
    if total is not None:
        counts[("total",)] = total
    lines = table_lines(rows, cols, row_totals=row_totals is not None, col_totals=col_totals is not None,
                        total=total is not None)
    hidden = protect(counts, lines, complements=complements)
    return Withheld(
        [[("cell", i, j) in hidden for j in range(cols)] for i in range(rows)],
        None if row_totals is None else [("row", i) in hidden for i in range(rows)],
        None if col_totals is None else [("col", j) in hidden for j in range(cols)],
        None if total is None else ("total",) in hidden)
