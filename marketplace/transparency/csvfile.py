"""One public table as CSV: what the page shows of it, in the reader's language, and nothing more.

Numbers stay numbers (a spreadsheet sums them); a withheld cell is "*" and the last line says why. Place
names are data someone typed, so every text cell goes through spreadsheets.py (formula-safe), and the
header too. UTF-8 with a BOM so Excel opens the Chinese."""

from ..i18n import _
from ..spreadsheets import Column, csv_text, fit
from .present import Figures, Row, Table, withheld_legend

WITHHELD = "*"


def _values(row: Row, table: Table) -> tuple:
    cells = [WITHHELD if cell.withheld else cell.value for cell in row.cells]
    if table.has_row_totals:
        cells.append("" if row.total is None else WITHHELD if row.total.withheld else row.total.value)
    return (row.label, *cells)


def body(table: Table) -> str:
    headers = [table.row_header, *(c.label for c in table.columns)] + ([_("合计")] if table.has_row_totals else [])
    rows = [_values(row, table) for row in table.rows]
    if table.totals is not None:
        rows.append(_values(table.totals, table))
    width = len(headers)
    rows.append((f"{WITHHELD} {withheld_legend()}", *[""] * (width - 1)))
    return csv_text([Column(h, fit(h)) for h in headers], rows)


def filename(figures: Figures, table: Table) -> str:
    """ASCII only, so every browser keeps it: table, scope, category and the day the figures were computed."""
    return (f"transparency-{table.id}-{figures.scope or 'all'}-{figures.category or 'all'}-"
            f"{figures.computed_at:%Y%m%d}.csv")
