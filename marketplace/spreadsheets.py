"""Writing tables for officials: CSV that Excel opens without mojibake, and XLSX with a readable header.

Both writers take an iterable of rows and never hold it in memory: CSV is written line by line, XLSX
through openpyxl's write-only mode (rows go straight to a temporary XML stream). Write-only sheets
cannot autofit, so each column declares a width in characters fitted to its header and typical content.

This module is the only writer of CSV and XLSX files the platform produces, because every cell may hold
text someone else typed (a need title, an organisation name, a rejected import row). A spreadsheet runs
a cell starting with =, +, -, @, tab or CR as a formula (CSV injection: =HYPERLINK(...) leaks data, =cmd|
runs programs), so CSV text cells starting with one of them get a leading single quote (OWASP's advice),
and XLSX text cells are written with the string type, never as formulas. Real numbers (int, float,
Decimal) stay numbers, negative ones included; so does text that is exactly a decimal number ("-528.00"),
which no spreadsheet reads as a formula."""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .i18n import _

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="9B1C1C")
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
# Excel's hard limit, header included.
XLSX_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12  # in characters; a CJK character counts as about 2
    number_format: str | None = None


def fit(header: str, typical: int = 0) -> float:
    """A width that fits the header (CJK characters are double width) or the typical content, plus padding."""
    header_width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return max(header_width, typical) + 2


_FORMULA_STARTS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as typed: a leading quote on anything it would evaluate."""
    if value and value[0] in _FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _safe(value):
    return safe_text(value) if isinstance(value, str) else value


class SafeCsvWriter:
    """csv.writer whose text cells are neutralised: for files written row by row (an import's rejected
    rows) that have no fixed columns. The caller writes the header, and the BOM through "utf-8-sig"."""

    def __init__(self, handle: IO[str]):
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([_safe(v) for v in row])


def write_csv(columns: list[Column], rows: Iterable[tuple], handle: IO[str], *, convert: bool = True) -> int:
    """UTF-8 with BOM (the handle must be opened with encoding="utf-8-sig", newline=""), dates ISO.
    `convert=False` takes rows whose values are already text (or None or numbers), for large exports:
    it skips the date conversion, never the formula neutralisation."""
    writer = csv.writer(handle)
    writer.writerow([safe_text(c.header) for c in columns])
    count = 0
    if not convert:
        for row in rows:
            writer.writerow([_safe(v) for v in row])
            count += 1
        return count
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else _safe(v) for v in row])
        count += 1
    return count


def csv_text(columns: list[Column], rows: Iterable[tuple]) -> str:
    """A small CSV as a string with its BOM, for a response body (the BOM lets Excel read the Chinese)."""
    out = io.StringIO()
    write_csv(columns, rows, out)
    return "\ufeff" + out.getvalue()


def write_xlsx(columns: list[Column], rows: Iterable[tuple], target, *, title: str = "Sheet1") -> int:
    """A write-only workbook: bold filled header frozen above the data, real date cells, fitted widths.
    `target` is a path or a binary file object. Rows beyond Excel's limit raise ValueError."""
    return write_xlsx_book([(title, columns, rows)], target)[0]


def write_xlsx_book(sheets: list[tuple[str, list[Column], Iterable[tuple]]], target) -> list[int]:
    """Several sheets of (title, columns, rows) in one workbook, each as write_xlsx writes its one; the
    rows written per sheet."""
    workbook = Workbook(write_only=True)
    counts = [_write_sheet(workbook, columns, rows, title) for title, columns, rows in sheets]
    workbook.save(target)
    return counts


def _write_sheet(workbook, columns: list[Column], rows: Iterable[tuple], title: str) -> int:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        header.append(cell)
    sheet.append(header)
    formats = [c.number_format for c in columns]
    count = 0
    for row in rows:
        count += 1
        if count >= XLSX_MAX_ROWS:
            raise ValueError(_("超过 Excel 单表行数上限（1,048,575 行），请缩小范围或导出 CSV。"))
        sheet.append([_cell(sheet, value, fmt) for value, fmt in zip(row, formats, strict=True)])
    return count


def _cell(sheet, value, number_format):
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local dates anyway
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if number_format and isinstance(value, (int, float, Decimal)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    if isinstance(value, str):
        # openpyxl refuses control characters (an exception halfway through a download) and types text
        # starting with "=" as a formula and "#N/A" and the like as errors: force plain text.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] == "=" or value in ERROR_CODES:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value

