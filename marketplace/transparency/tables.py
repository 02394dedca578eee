"""The seven public tables of one scope and category filter, built from the buckets (reading.py) before
suppression: every figure carries the households it stands for and, if it adds up with others, its key.

A key names a figure wherever it appears: (measure, source, place key, category, month), with "" for
"all" (all sources, all categories, the whole window) and None where the dimension does not apply (needs
have no source; flagged households no category or month). figures.py withholds by key, so a figure is
withheld in every table and payload that shows it, and works out the lines between keys across tables."""

import statistics
from dataclasses import dataclass, field

from ..vocabulary import CATEGORIES
from .places import Places
from .reading import AID, DAYS, EVENTS, SOURCES, Buckets

SOURCE_MEASURES = ("money_yuan", "goods", "hours", "households", "entries")


@dataclass(frozen=True)
class Fig:
    value: object  # int | float | None, as published when not withheld
    households: int  # how many households it stands for
    key: tuple | None = None  # for suppression; None: never withheld by a line (medians, participation)
    median: bool = False  # withheld below the threshold, no complements
    depends: tuple = ()  # withheld when any of these keys is (a share of two published counts)


@dataclass
class Raw:
    id: str
    row_dim: str
    rows: list[dict]
    col_dim: str
    cols: list[str]
    chart: str
    cells: list[list[Fig]]
    row_totals: list[Fig] | None = None
    col_totals: list[Fig] | None = None
    total: Fig | None = None


def _merge(into: dict, cells: dict) -> None:
    for key, (value, households) in cells.items():
        cell = into.get(key)
        if cell is None:
            into[key] = [value[:] if isinstance(value, list) else value, set(households)]
        else:
            cell[0] += value
            cell[1] |= households


def _union(cells) -> list:
    """One cell from several: the values added, the households united."""
    value, households = 0, set()
    for cell in cells:
        if cell is not None:
            value += cell[0]
            households |= cell[1]
    return [value, households]


def _yuan(fen) -> int:
    return int((fen + 50) // 100)


@dataclass
class Gathered:
    """A scope's buckets, merged: per row and category, and for the whole scope."""
    posted: dict = field(default_factory=dict)  # (row, category) -> cell of needs published in the window
    needs: dict = field(default_factory=dict)  # (event | days measure, month) -> cell
    # (measure, source, month) -> cell; source "" for all sources, month None for the whole window
    aid: dict = field(default_factory=dict)
    orgs: list = field(default_factory=list)  # per row: organisation ids
    volunteers: list = field(default_factory=list)  # per row: volunteer ids
    flagged: list = field(default_factory=list)  # per row: [flagged, reached]


def gather(buckets: Buckets, places: Places, place: str | None, categories: tuple[str, ...]) -> Gathered:
    rows = places.rows(place)
    found = Gathered(orgs=[set() for _ in rows], volunteers=[set() for _ in rows], flagged=[[0, 0] for _ in rows])
    months = range(len(buckets.window.months))
    records = {}
    for leaf, row in places.row_of(place).items():
        for category in categories:
            cells = buckets.needs.get((leaf, category))
            if cells:
                _merge(found.needs, cells)
                posted = _union(cells.get(("posted", m)) for m in months)
                if posted[0]:
                    _merge(found.posted, {(row, category): posted})
            cells = buckets.aid.get((leaf, category))
            if cells:
                _merge_records(records, cells)
            active = buckets.active.get((leaf, category))
            if active:
                found.orgs[row] |= active[0]
                found.volunteers[row] |= active[1]
        counts = buckets.flagged.get(leaf)
        if counts:
            found.flagged[row][0] += counts[0]
            found.flagged[row][1] += counts[1]
    found.aid = _aid_cells(records)
    return found


def _merge_records(into: dict, records: dict) -> None:
    for key, record in records.items():
        mine = into.get(key)
        if mine is None:
            into[key] = [*record[:4], *(set(households) for households in record[4:])]
        else:
            for n in range(4):
                mine[n] += record[n]
                mine[4 + n] |= record[4 + n]


def _aid_cells(records: dict) -> dict:
    """Each measure by source and month, with its totals over sources and over the window."""
    cells = {}
    for (source, m), record in records.items():
        for n, measure in enumerate(AID):
            households = record[4 + n]
            if not households:
                continue
            cells[(measure, source, m)] = [record[n], households]  # one record each: no copy needed
            for key in ((measure, source, None), (measure, "", m), (measure, "", None)):
                cell = cells.get(key)
                if cell is None:
                    cells[key] = [record[n], set(households)]
                else:
                    cell[0] += record[n]
                    cell[1] |= households
    return cells


def _count(cell, key) -> Fig:
    return Fig(cell[0], len(cell[1]), key) if cell else Fig(0, 0, key)


def build(buckets: Buckets, places: Places, place: str | None, category: str) -> list[Raw]:
    """Every table of the scope whose effective place is `place`, for one category filter ("" = all)."""
    categories = (category,) if category else tuple(CATEGORIES)
    found = gather(buckets, places, place, categories)
    rows = places.rows(place)
    scope = places.key(place)
    row_list = [{"key": row.code, "name": row.name} for row in rows]
    month_rows = [{"key": month, "name": None} for month in buckets.window.months]
    return [_needs_by_area(found, rows, row_list, scope, category, categories),
            _needs_by_month(found, month_rows, scope, category),
            _days_by_month(found, month_rows),
            _delivered_by_source(found, scope, category),
            _money_by_month(found, month_rows, scope, category),
            _participation(found, row_list),
            _flagged_reach(found, rows, row_list, scope)]


def _needs_by_area(found: Gathered, rows, row_list, scope: str, category: str, categories) -> Raw:
    shown = list(categories) if category else [k for k in CATEGORIES
                                               if any((r, k) in found.posted for r in range(len(rows)))]
    cell = found.posted.get
    cells = [[_count(cell((r, k)), ("posted", None, row.key, k, "")) for k in shown] for r, row in enumerate(rows)]
    row_totals = [_count(_union(cell((r, k)) for k in shown), ("posted", None, row.key, category, ""))
                  for r, row in enumerate(rows)]
    col_totals = [_count(_union(cell((r, k)) for r in range(len(rows))), ("posted", None, scope, k, ""))
                  for k in shown]
    total = _count(_union(found.posted.values()), ("posted", None, scope, category, ""))
    return Raw("needs_by_area", "place", row_list, "category", shown, "stacked_bar", cells, row_totals,
               col_totals, total)


def _needs_by_month(found: Gathered, month_rows, scope: str, category: str) -> Raw:
    months = [row["key"] for row in month_rows]
    cells = [[_count(found.needs.get((event, m)), (event, None, scope, category, month)) for event in EVENTS]
             for m, month in enumerate(months)]
    col_totals = [_count(_union(found.needs.get((event, m)) for m in range(len(months))),
                         (event, None, scope, category, "")) for event in EVENTS]
    return Raw("needs_by_month", "month", month_rows, "measure", list(EVENTS), "line", cells,
               col_totals=col_totals)


def _median(cell) -> Fig:
    if not cell or not cell[0]:
        return Fig(None, 0, median=True)
    return Fig(round(float(statistics.median(cell[0])), 1), len(cell[1]), median=True)


def _days_by_month(found: Gathered, month_rows) -> Raw:
    count = len(month_rows)
    cells = [[_median(found.needs.get((days, m))) for days in DAYS] for m in range(count)]
    col_totals = []
    for days in DAYS:
        values, households = [], set()
        for m in range(count):
            cell = found.needs.get((days, m))
            if cell:
                values += cell[0]
                households |= cell[1]
        col_totals.append(_median([values, households]))
    return Raw("days_by_month", "month", month_rows, "measure", list(DAYS), "line", cells, col_totals=col_totals)


def _source_figures(cells: dict, source: str, scope: str, category: str) -> list[Fig]:
    """money_yuan, goods, hours, households, entries of one source ("" = all) over the window."""
    empty = [0, set()]
    money, goods, hours, entries = (cells.get((measure, source, None), empty) for measure in AID[1:] + AID[:1])
    key = lambda measure: (measure, source, scope, category, "")  # noqa: E731
    return [Fig(_yuan(money[0]), len(money[1]), key("money")), Fig(int(goods[0]), len(goods[1]), key("goods")),
            Fig(round(float(hours[0]), 1), len(hours[1]), key("hours")),
            Fig(len(entries[1]), len(entries[1]), key("households")),
            Fig(entries[0], len(entries[1]), key("entries"))]


def _delivered_by_source(found: Gathered, scope: str, category: str) -> Raw:
    cells = [_source_figures(found.aid, source, scope, category) for source in SOURCES]
    return Raw("delivered_by_source", "source", [{"key": s, "name": None} for s in SOURCES], "measure",
               list(SOURCE_MEASURES), "bar", cells, col_totals=_source_figures(found.aid, "", scope, category))


def _money(cell, key) -> Fig:
    return Fig(_yuan(cell[0]), len(cell[1]), key) if cell else Fig(0, 0, key)


def _money_by_month(found: Gathered, month_rows, scope: str, category: str) -> Raw:
    months = [row["key"] for row in month_rows]
    money = found.aid.get
    cells = [[_money(money(("money", s, m)), ("money", s, scope, category, month)) for s in SOURCES]
             for m, month in enumerate(months)]
    row_totals = [_money(money(("money", "", m)), ("money", "", scope, category, month)) for m, month in enumerate(months)]
    col_totals = [_money(money(("money", s, None)), ("money", s, scope, category, "")) for s in SOURCES]
    total = _money(money(("money", "", None)), ("money", "", scope, category, ""))
    return Raw("money_by_month", "month", month_rows, "source", list(SOURCES), "stacked_bar", cells, row_totals,
               col_totals, total)


def _participation(found: Gathered, row_list) -> Raw:
    cells = [[Fig(len(orgs), 0), Fig(len(people), 0)] for orgs, people in zip(found.orgs, found.volunteers, strict=True)]
    col_totals = [Fig(len(set().union(*found.orgs)), 0), Fig(len(set().union(*found.volunteers)), 0)]
    return Raw("participation", "place", row_list, "measure", ["organizations", "volunteers"], "bar", cells,
               col_totals=col_totals)


def _reach(flagged: int, reached: int, flagged_key: tuple, reached_key: tuple) -> list[Fig]:
    share = round(100.0 * reached / flagged, 1) if flagged else None
    return [Fig(flagged, flagged, flagged_key), Fig(reached, reached, reached_key),
            Fig(share, reached, depends=(flagged_key, reached_key))]


def _flagged_reach(found: Gathered, rows, row_list, scope: str) -> Raw:
    cells = [_reach(flagged, reached, ("flagged", None, row.key, None, None), ("reached", None, row.key, None, None))
             for row, (flagged, reached) in zip(rows, found.flagged, strict=True)]
    flagged, reached = (sum(counts[n] for counts in found.flagged) for n in (0, 1))
    col_totals = _reach(flagged, reached, ("flagged", None, scope, None, None), ("reached", None, scope, None, None))
    return Raw("flagged_reach", "place", row_list, "measure", ["flagged", "reached", "share"], "bar", cells,
               col_totals=col_totals)
