"""Reading an uploaded registry file as rows of text, streamed: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030,
detected rather than asked) or XLSX (the first sheet). Line numbers are the file's: the header is line 1
(for XLSX, the sheet's row number), so staff find a rejected row where the report says.

A CSV file is read twice: once to pick the encoding and to prove the whole file decodes and parses
(so a broken file is refused before anything is written, and the row count drives the progress bar),
then again row by row. An XLSX sheet is read once (parsing it twice would double the time): a sheet
damaged halfway fails after the batches before the damage were committed, and a re-run completes it.
Before either is parsed, the file is held to the import limits (limits.py): rows, columns, cell length
and an XLSX's uncompressed size; a file beyond them is refused whole with a message naming the limit."""

import csv
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ...i18n import N_
from .limits import ImportLimits, check_csv_row, check_xlsx
from .report import ImportFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE documents)
# Provincial exports often put a title row or two above the header.
HEADER_SEARCH_ROWS = 10


@dataclass
class Table:
    headers: list[str]
    header_line: int
    total: int | None
    rows: Iterator[tuple[int, list[str]]]  # (file line, cells as text), blank rows skipped
    close: Callable[[], None]


def open_table(path: Path, is_header, limits: ImportLimits | None = None) -> Table:
    """`is_header(cells)` says whether a row is the header row; `limits` default to the environment's."""
    path = Path(path)
    limits = limits or ImportLimits.from_env()
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise ImportFileError(f"无法打开文件：{error.strerror or error}") from None
    if magic == _OLE_MAGIC:
        raise ImportFileError(N_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入。"))
    if magic == _ZIP_MAGIC:
        return _xlsx(path, is_header, limits)
    return _csv(path, is_header, limits)


def _find_header(rows: Iterator[tuple[int, list[str]]], is_header) -> tuple[int, list[str], int]:
    """The header's line and cells, and how many non-blank rows were read to find it."""
    first = None
    for seen, (line, cells) in enumerate(rows, start=1):
        if first is None:
            first = (line, cells, seen)
        if is_header(cells):
            return line, cells, seen
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(N_("文件是空的，没有表头和数据。"))
    return first  # the caller reports which required headers it lacks


def _detect_encoding(path: Path, limits: ImportLimits) -> tuple[str, int]:
    """The first encoding in which the whole file decodes and parses as CSV within the limits, and its
    record count."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, encoding=encoding, errors="strict", newline="") as handle:
                reader = csv.reader(handle)
                count = 0  # an estimate for the progress bar
                for cells in reader:
                    if any(cells):
                        count += 1
                        check_csv_row(limits, reader.line_num, cells, count)
            return encoding, count
        except UnicodeDecodeError:
            continue
        except csv.Error as error:
            if "field larger than field limit" in str(error):  # csv's own cap (128 KiB), above ours
                raise limits.cell_exceeded(reader.line_num + 1, csv.field_size_limit()) from None
            raise ImportFileError(f"CSV 文件第{reader.line_num}行无法解析（{error}），请检查文件是否完整。") from None
    raise ImportFileError(N_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件，或 Excel（.xlsx）文件。"))


def _csv_rows(handle) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(handle)
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1  # a quoted field may span lines: report where the row starts
        if any(c.strip() for c in cells):
            yield start, cells


def _csv(path: Path, is_header, limits: ImportLimits) -> Table:
    encoding, records = _detect_encoding(path, limits)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by Table.close)
    rows = _csv_rows(handle)  # one generator: data rows continue where the header search stopped
    try:
        header_line, headers, consumed = _find_header(rows, is_header)
    except BaseException:
        handle.close()
        raise
    return Table(headers, header_line, records - consumed, rows, handle.close)


def cell_text(value) -> str:
    """A cell as the text staff typed: whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if any(c.strip() for c in cells):
            yield number, cells


def _xlsx(path: Path, is_header, limits: ImportLimits) -> Table:
    from openpyxl import load_workbook

    present = check_xlsx(path, limits)
    try:
        with warnings.catch_warnings():
            # Files from other tools trigger openpyxl's style and extension warnings; they do not affect values.
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # zipfile, XML and openpyxl errors alike mean the same thing to staff
        raise ImportFileError(N_("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式。")) from None
    if not book.worksheets:
        book.close()
        raise ImportFileError(N_("Excel 文件中没有工作表。"))
    sheet = book.worksheets[0]
    estimate = present or sheet.max_row
    # The stored dimension may be stale or absent; without it every row present is read.
    sheet.reset_dimensions()
    rows = _xlsx_rows(sheet)
    try:
        header_line, headers, _ = _find_header(rows, is_header)
    except ImportFileError:
        book.close()
        raise
    except Exception:
        book.close()
        raise ImportFileError(N_("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式。")) from None
    total = max(estimate - header_line, 0) if estimate else None
    return Table(headers, header_line, total, rows, book.close)
