"""The one writer of CSV and XLSX: text a spreadsheet would run as a formula is neutralised, numbers stay
numbers, and the fast path for large exports is as safe as the converting one."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from marketplace.spreadsheets import Column, SafeCsvWriter, csv_text, write_csv, write_xlsx

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1"]
ATTACKS = [*FORMULAS, "#N/A"]  # an error literal: harmless in CSV, but XLSX would store it as an error cell
COLUMNS = [Column("文本"), Column("金额", number_format="#,##0.00"), Column("日期")]


def _rows():
    return [(text, Decimal("-12.50"), date(2026, 3, 5)) for text in ATTACKS] + [("-528.00", -3, None)]


def _csv(convert: bool) -> list[list[str]]:
    out = io.StringIO()
    write_csv(COLUMNS, _rows(), out, convert=convert)
    return list(csv.reader(io.StringIO(out.getvalue())))[1:]


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote():
    for convert in (True, False):
        rows = _csv(convert)
        assert [row[0] for row in rows[:len(FORMULAS)]] == ["'" + text for text in FORMULAS]
        # Real numbers and text that is exactly a number stay as they are: nothing there can be a formula.
        assert rows[0][1] == "-12.50" and rows[-1][:2] == ["-528.00", "-3"]


def test_row_by_row_writer_and_small_bodies_are_neutralised_too():
    out = io.StringIO()
    SafeCsvWriter(out).writerow(["=1+1", 5, None, "普通文字"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "5", "", "普通文字"]
    body = csv_text([Column("名称")], [("@cmd",)])
    assert body.startswith("\ufeff") and body.splitlines()[1] == "'@cmd"


def test_xlsx_never_holds_a_formula_and_keeps_numbers_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(COLUMNS, [*_rows(), ("bad\x00\x07text", 1, None)], path)
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert [sheet.cell(row=i, column=1).value for i in range(2, 2 + len(ATTACKS))] == [
        text.replace("\r", "\n") for text in ATTACKS]  # XML reads a CR back as a newline
    assert sheet["A2"].data_type == "s" and sheet["A9"].value == "#N/A" and sheet["A9"].data_type == "s"  # "=HYPERLINK", "#N/A" as text
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == -12.5
    assert sheet.cell(row=len(ATTACKS) + 2, column=2).value == -3
    assert sheet.cell(row=len(ATTACKS) + 3, column=1).value == "badtext"  # control characters dropped
