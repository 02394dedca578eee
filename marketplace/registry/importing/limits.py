"""Limits an uploaded registry file must stay within, checked before it is parsed for real.

openpyxl builds each row as a tuple of every cell up to the row's last column, so a 333 KB XLSX holding one
row of three million empty cells took 2.6 GB. An XLSX is a zip of XML: its members' declared uncompressed
sizes are summed first (no decompression), then the first sheet's XML and the shared strings are streamed
once with the standard library's C parser, counting rows, columns and cell lengths and freeing each
element as it ends, so a hostile file is refused after reading at most the limit, in constant memory.
A CSV is already read whole once before anything is written (sources._detect_encoding); the same checks
run there. Nothing is imported from a file that breaks a limit.

Limits come from MARKETPLACE_IMPORT_MAX_ROWS (500,000: a prefecture's low-income registry is some
200,000 households), _MAX_COLUMNS (64: the registry has 10, the aid file 9, provincial exports add a few),
_MAX_CELL_CHARS (2,000: an address or a hardship list is far shorter) and _MAX_XLSX_UNCOMPRESSED_MB (512:
500,000 rows of 20 cells take about 150 MB of sheet XML)."""

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from ...i18n import N_
from .report import ImportFileError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True)
class ImportLimits:
    max_rows: int = 500_000
    max_columns: int = 64
    max_cell_chars: int = 2000
    max_xlsx_uncompressed_mb: int = 512

    @classmethod
    def from_env(cls, env=None) -> "ImportLimits":
        env = os.environ if env is None else env

        def number(name: str, default: int) -> int:
            raw = env.get(f"MARKETPLACE_IMPORT_{name}")
            return int(raw) if raw else default

        return cls(number("MAX_ROWS", cls.max_rows), number("MAX_COLUMNS", cls.max_columns),
                   number("MAX_CELL_CHARS", cls.max_cell_chars),
                   number("MAX_XLSX_UNCOMPRESSED_MB", cls.max_xlsx_uncompressed_mb))

    # The messages name the limit and what was found, so staff know what to split or trim.
    def rows_exceeded(self, found: int | str) -> ImportFileError:
        return ImportFileError(f"文件超出导入限制：数据行数达到 {found} 行，上限为 {self.max_rows:,} 行。请拆分为多个文件分批导入。")

    def columns_exceeded(self, line: int, found: int, *, at_least: bool = False) -> ImportFileError:
        has = "至少有" if at_least else "有"  # a sheet is read no further than the first column too many
        return ImportFileError(f"文件超出导入限制：第{line}行{has} {found:,} 列，上限为 {self.max_columns} 列。"
                               "请删除多余的列后再导入。")

    def cell_exceeded(self, line: int | None, found: int) -> ImportFileError:
        where = f"第{line}行有一个单元格" if line else "文件中有一个单元格"
        return ImportFileError(f"文件超出导入限制：{where}长 {found:,} 字，上限为 {self.max_cell_chars:,} 字。")


def check_csv_row(limits: ImportLimits, line: int, cells: list[str], records: int) -> None:
    if records > limits.max_rows + 1:  # the header is not a data row
        raise limits.rows_exceeded(f"{records - 1:,}")
    if len(cells) > limits.max_columns:
        raise limits.columns_exceeded(line, len(cells))
    longest = max(map(len, cells), default=0)
    if longest > limits.max_cell_chars:
        raise limits.cell_exceeded(line, longest)


def check_xlsx(path: Path, limits: ImportLimits) -> int | None:
    """Refuse the workbook if it breaks a limit; otherwise the number of rows present in its first sheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > limits.max_xlsx_uncompressed_mb * 1024 * 1024:
                raise ImportFileError(
                    f"文件超出导入限制：Excel 文件解压后为 {total / 1024 / 1024:,.0f} MB，"
                    f"上限为 {limits.max_xlsx_uncompressed_mb} MB。请拆分为多个文件，或另存为 CSV。")
            names = set(archive.namelist())
            if "xl/sharedStrings.xml" in names:
                _check_shared_strings(archive, limits)
            sheet = _first_sheet(archive, names)
            return _check_sheet(archive, sheet, limits) if sheet else None
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError):
        raise ImportFileError(N_("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式。")) from None


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The part openpyxl reads as worksheets[0]: the workbook's first <sheet>, through its relationship."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    first = None
    with archive.open("xl/workbook.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{_MAIN}sheet":
                first = element.get(f"{_REL}id")
                break
    if first is None:
        return None
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{_PKG_REL}Relationship" and element.get("Id") == first:
                target = element.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                return part if part in names else None
    return None


def _check_shared_strings(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    with archive.open("xl/sharedStrings.xml") as handle:
        length = 0
        for _, element in iterparse(handle):
            if element.tag == f"{_MAIN}t":
                length += len(element.text or "")
            elif element.tag == f"{_MAIN}si":
                if length > limits.max_cell_chars:
                    raise limits.cell_exceeded(None, length)
                length = 0
                element.clear()


def _check_sheet(archive: zipfile.ZipFile, part: str, limits: ImportLimits) -> int:
    rows = 0
    columns = 0
    line = 0
    sheet_data = None
    with archive.open(part) as handle:
        for event, element in iterparse(handle, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_MAIN}row":
                    rows += 1
                    columns = 0
                    line = int(element.get("r") or line + 1)
                    if rows > limits.max_rows + 1 or line > limits.max_rows + 1000:
                        # Blank rows count too: openpyxl walks every row up to the last one present.
                        raise limits.rows_exceeded(f"{max(rows, line) - 1:,}")
                elif tag == f"{_MAIN}c":
                    columns += 1
                    match = _CELL_REF.match(element.get("r") or "")
                    position = _column_index(match.group(1)) if match else columns
                    if max(columns, position) > limits.max_columns:
                        raise limits.columns_exceeded(line, max(columns, position), at_least=True)
                elif tag == f"{_MAIN}dimension":
                    _check_dimension(element.get("ref") or "", limits)
                elif tag == f"{_MAIN}sheetData":
                    sheet_data = element
                continue
            if tag in (f"{_MAIN}v", f"{_MAIN}t"):
                if element.text and len(element.text) > limits.max_cell_chars:
                    raise limits.cell_exceeded(line, len(element.text))
            elif tag == f"{_MAIN}row" and sheet_data is not None:
                sheet_data.clear()  # the tree keeps nothing of rows already checked
    return rows


def _check_dimension(ref: str, limits: ImportLimits) -> None:
    """The declared range (A1:J5000) refuses an oversized sheet before its first row is read."""
    corner = _CELL_REF.fullmatch(ref.split(":")[-1])
    if not corner:
        return
    if _column_index(corner.group(1)) > limits.max_columns:
        raise limits.columns_exceeded(1, _column_index(corner.group(1)), at_least=True)
    if int(corner.group(2)) > limits.max_rows + 1000:
        raise limits.rows_exceeded(f"{int(corner.group(2)) - 1:,}")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index
