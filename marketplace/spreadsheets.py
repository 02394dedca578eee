"""Writing tables for officials: CSV that Excel opens without mojibake, and XLSX with a readable header.

Both writers take an iterable of rows and never hold it in memory: CSV is written line by line, XLSX
through openpyxl's write-only mode (rows go straight to a temporary XML stream). Write-only sheets
cannot autofit, so each column declares a width in characters fitted to its header and typical content."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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


def write_csv(columns: list[Column], rows: Iterable[tuple], handle: IO[str], *, convert: bool = True) -> int:
    """UTF-8 with BOM (the handle must be opened with encoding="utf-8-sig", newline=""), dates ISO.
    `convert=False` takes rows whose values are already text (or None), for large exports."""
    writer = csv.writer(handle)
    writer.writerow([c.header for c in columns])
    count = 0
    if not convert:
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])
        count += 1
    return count


def write_xlsx(columns: list[Column], rows: Iterable[tuple], target, *, title: str = "Sheet1") -> int:
    """A write-only workbook: bold filled header frozen above the data, real date cells, fitted widths.
    `target` is a path or a binary file object. Rows beyond Excel's limit raise ValueError."""
    workbook = Workbook(write_only=True)
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
            raise ValueError("超过 Excel 单表行数上限（1,048,575 行），请缩小范围或导出 CSV。")
        sheet.append([_cell(sheet, value, fmt) for value, fmt in zip(row, formats, strict=True)])
    workbook.save(target)
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
    return value

