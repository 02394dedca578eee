"""Complementary suppression against the reader who subtracts: an adversary knows every published figure and
how the tables add up, solves every line with a single unknown, again and again until nothing changes. No
withheld figure may come out; with complements switched off, one does (so the attack can fail)."""

import random

import pytest

from marketplace.transparency.suppression import is_small, median_withheld, protect, suppress, table_lines


def attack(known: dict, lines) -> dict:
    """Everything the adversary can work out: `known` holds the published figures by key; each line is
    (members, total) with members adding up to total. Returns the known figures after the attack."""
    known = dict(known)
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            unknown = [key for key in (*members, total) if key not in known]
            if len(set(unknown)) != 1:
                continue
            key = unknown[0]
            if key == total:
                known[key] = sum(known[m] for m in members)
            else:
                known[key] = known[total] - sum(known[m] for m in members if m != key)
            changed = True
    return known


class Table:
    """An additive table: values and the households each figure stands for (each household in one cell)."""

    def __init__(self, households, values=None, *, row_totals=True, col_totals=True, total=True):
        self.households = households
        self.values = values or [[h * 3 + (1 if h else 0) for h in row] for row in households]
        self.rows, self.cols = len(households), len(households[0])
        self.has = {"row": row_totals, "col": col_totals, "total": total and (row_totals or col_totals)}

    def figures(self):
        """(key -> value, key -> households) of every published position."""
        values, counts = {}, {}
        for i in range(self.rows):
            for j in range(self.cols):
                values[("cell", i, j)], counts[("cell", i, j)] = self.values[i][j], self.households[i][j]
        if self.has["row"]:
            for i in range(self.rows):
                values[("row", i)], counts[("row", i)] = sum(self.values[i]), sum(self.households[i])
        if self.has["col"]:
            for j in range(self.cols):
                values[("col", j)] = sum(r[j] for r in self.values)
                counts[("col", j)] = sum(r[j] for r in self.households)
        if self.has["total"]:
            values[("total",)], counts[("total",)] = sum(map(sum, self.values)), sum(map(sum, self.households))
        return values, counts

    def lines(self):
        return table_lines(self.rows, self.cols, row_totals=self.has["row"], col_totals=self.has["col"],
                           total=self.has["total"])

    def suppressed(self, complements=True):
        _, counts = self.figures()
        withheld = suppress(self.households,
                            [counts[("row", i)] for i in range(self.rows)] if self.has["row"] else None,
                            [counts[("col", j)] for j in range(self.cols)] if self.has["col"] else None,
                            counts[("total",)] if self.has["total"] else None, complements=complements)
        hidden = {("cell", i, j) for i in range(self.rows) for j in range(self.cols) if withheld.cells[i][j]}
        hidden |= {("row", i) for i, h in enumerate(withheld.row_totals or ()) if h}
        hidden |= {("col", j) for j, h in enumerate(withheld.col_totals or ()) if h}
        if withheld.total:
            hidden.add(("total",))
        return hidden

    def recovered(self, complements=True) -> set:
        values, _ = self.figures()
        hidden = self.suppressed(complements)
        published = {key: value for key, value in values.items() if key not in hidden}
        found = attack(published, self.lines())
        for key in hidden & found.keys():
            assert found[key] == values[key]  # the attack is sound: what it finds is the true figure
        return hidden & found.keys()


def _random_table(rng: random.Random) -> Table:
    rows, cols = rng.randint(2, 8), rng.randint(2, 8)
    small = rng.random()  # from few to many small cells
    households = [[rng.choice((1, 2, 3, 4)) if rng.random() < small * 0.6 else
                   rng.choice((0, 0, 5, 6, 9, 14, 30, 120)) for _ in range(cols)] for _ in range(rows)]
    values = [[h * rng.randint(1, 4) for h in row] for row in households]
    shape = rng.choice(({}, {"row_totals": False}, {"col_totals": False}, {"total": False}))
    return Table(households, values, **shape)


def test_the_attack_recovers_a_small_cell_when_complements_are_off():
    table = Table([[3, 40, 60], [50, 70, 80]])
    assert table.recovered(complements=False) == {("cell", 0, 0)}
    assert table.recovered() == set()


@pytest.mark.parametrize("seed", range(400))
def test_no_withheld_figure_comes_out_of_random_tables(seed):
    table = _random_table(random.Random(seed))
    assert table.recovered() == set()


def test_random_tables_do_leak_without_complements():
    """The same tables without complements: most with a small cell give one away, so the test above can fail."""
    leaking = sum(bool(_random_table(random.Random(seed)).recovered(complements=False)) for seed in range(400))
    assert leaking > 100


def test_a_single_small_cell_in_a_row_takes_the_rows_smallest_other_cell_with_it():
    table = Table([[2, 9, 40, 7], [30, 31, 32, 33], [20, 21, 22, 23]])
    hidden = table.suppressed()
    assert ("cell", 0, 0) in hidden and ("cell", 0, 3) in hidden  # 7 households: the least hidden
    assert ("cell", 0, 1) not in hidden and ("cell", 0, 2) not in hidden
    assert table.recovered() == set()


def test_two_small_cells_sharing_row_and_column():
    table = Table([[2, 3, 50], [4, 60, 70], [80, 90, 100]])
    hidden = table.suppressed()
    assert {("cell", 0, 0), ("cell", 0, 1), ("cell", 1, 0)} <= hidden
    assert table.recovered() == set()
    assert table.recovered(complements=False)


def test_a_small_row_total_is_withheld_and_cannot_be_recovered_from_the_grand_total():
    table = Table([[1, 2, 0], [40, 50, 60], [70, 0, 90]])
    hidden = table.suppressed()
    assert ("row", 0) in hidden and ("cell", 0, 0) in hidden and ("cell", 0, 1) in hidden
    assert ("cell", 0, 2) not in hidden  # 0 is published as 0
    assert table.recovered() == set()


def test_a_column_table_without_row_totals_still_protects_its_columns():
    table = Table([[3, 20], [40, 2], [50, 60]], row_totals=False, total=False)
    assert table.recovered(complements=False)
    assert table.recovered() == set()


def test_every_line_ends_with_none_or_several_withheld():
    for seed in range(200):
        table = _random_table(random.Random(1000 + seed))
        hidden = table.suppressed()
        for members, total in table.lines():
            assert sum(key in hidden for key in (*members, total)) != 1


def test_primary_rule_and_medians():
    assert [is_small(n) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert [median_withheld(n) for n in (0, 4, 5)] == [True, True, False]
    withheld = suppress([[0, 5], [4, 9]])
    assert withheld.cells == [[False, False], [True, False]] and withheld.row_totals is None


def test_linked_tables_share_their_withheld_figures():
    """One figure published in two tables (a county's row in the city's table and the county's own total)
    is withheld in both, and a line across them (all categories = the sum of the categories) is
    protected like a line inside a table."""
    counts = {"edu@A": 3, "care@A": 40, "all@A": 43, "edu@B": 30, "care@B": 8, "all@B": 38,
              "edu": 33, "care": 48, "all": 81}
    values = {"edu@A": 3, "care@A": 41, "all@A": 44, "edu@B": 33, "care@B": 9, "all@B": 42,
              "edu": 36, "care": 50, "all": 86}
    lines = [(["edu@A", "care@A"], "all@A"), (["edu@B", "care@B"], "all@B"), (["edu", "care"], "all"),
             (["edu@A", "edu@B"], "edu"), (["care@A", "care@B"], "care"), (["all@A", "all@B"], "all")]
    hidden = protect(counts, lines)
    found = attack({k: v for k, v in values.items() if k not in hidden}, lines)
    assert "edu@A" in hidden and not hidden & found.keys()
    leaked = attack({k: v for k, v in values.items() if k not in protect(counts, lines, complements=False)}, lines)
    assert "edu@A" in leaked
