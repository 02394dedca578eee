"""The 衔接台账 export: opened again and checked cell by cell, as CSV and from the command line."""

import csv
from datetime import date, datetime

from click.testing import CliRunner
from openpyxl import load_workbook

from marketplace.cli import main
from marketplace.db import reading_session
from marketplace.ledger import corrections
from marketplace.ledger.export import COLUMNS, ExportFilters, export_ledger
from marketplace.ledger.service import append
from marketplace.registry.models import Household

HEADER = ["对象编号", "地区", "救助类别", "来源", "帮扶方", "类别", "项目", "金额（元）", "数量", "单位",
          "服务时长（小时）", "发生日期", "登记日期", "核验人", "记录类型", "链上序号", "更正的记录", "说明",
          "受助方确认", "资金来源"]


def _government(world, household, on: date, amount_fen=62800, title="城乡低保金"):
    with world.tx() as s:
        return append(s, s.get(Household, household.id), source="government", category="other", title=title,
                      amount_fen=amount_fen, occurred_on=on)


def _arrange(world):
    household = world.household(tier="dibao", name="张桂兰", id_number="341621195803127716")
    world.need("verified", household=household)  # charity aid: 3,000 元, verified by `verifier`
    paid = _government(world, household, date(2026, 3, 5))
    with world.tx() as s:
        corrections.correct(s, world.user(s, world.poster), s.get(Household, household.id), paid.id,
                            corrections.CorrectionInput("发放金额登记有误", amount_fen=52800))
    other = world.household("341622100", tier="marginal")
    _government(world, other, date(2026, 4, 1), title="临时救助金")
    return household, other


def test_xlsx_export_checked_cell_by_cell(world, engine, tmp_path):
    household, _ = _arrange(world)
    path = tmp_path / "ledger.xlsx"
    with reading_session(engine) as session:
        assert export_ledger(session, path, "xlsx", ExportFilters(region="341621")) == 3
    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "救助帮扶衔接台账"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.b for c in sheet[1]) and sheet["A1"].fill.fgColor.rgb.endswith("9B1C1C")
    assert sheet.column_dimensions["G"].width >= 30 and sheet.column_dimensions["B"].width >= 26
    charity, paid, fix = (list(r) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert sheet.max_row == 4
    assert charity[:8] == [household.public_code, "涡阳县 · 楚店镇", "低保对象", "慈善帮扶", "涡阳县慈善协会", "助学",
                           "大一新生学费缺口", 3000]
    assert charity[10] is None  # hours do not belong to a money need (issue 14): not stored, not on the chain
    assert charity[13] == "verifier" and charity[14] == "帮扶" and charity[15] == 1
    assert isinstance(charity[11], datetime) and charity[11].date() == date.today()
    assert sheet["L2"].is_date and sheet["L2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].data_type == "n" and sheet["H2"].number_format == "#,##0.00"
    assert paid[3] == "政府救助" and paid[4] is None and paid[7] == 628 and paid[11] == datetime(2026, 3, 5)
    assert paid[14] == "帮扶" and paid[16] is None
    assert charity[18] == "确认码" and paid[18] is None and fix[18] is None  # government aid asks no confirmation
    assert fix[6] == "更正：城乡低保金" and fix[7] == 528 and fix[14] == "更正"
    assert fix[16] == f"{household.public_code} 第2条" and fix[17] == "发放金额登记有误"
    for row in sheet.iter_rows(values_only=True):
        assert "张桂兰" not in row and "341621195803127716" not in row
    book.close()


def test_csv_export_is_utf8_with_bom_and_filters_by_date(world, engine, tmp_path):
    household, other = _arrange(world)
    path = tmp_path / "ledger.csv"
    with reading_session(engine) as session:
        count = export_ledger(session, path, "csv", ExportFilters(date_from=date(2026, 3, 1),
                                                                  date_to=date(2026, 4, 30)))
    assert count == 3
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [c.header for c in COLUMNS] == HEADER
    assert [(r[0], r[6], r[7], r[11]) for r in rows[1:]] == [
        (household.public_code, "城乡低保金", "628.00", "2026-03-05"),
        (household.public_code, "更正：城乡低保金", "528.00", "2026-03-05"),
        (other.public_code, "临时救助金", "628.00", "2026-04-01"),
    ]


def test_cli_export_ledger_with_region_and_dates(world, database_url, monkeypatch, tmp_path):
    household, other = _arrange(world)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    runner = CliRunner()
    path = tmp_path / "台账.xlsx"
    result = runner.invoke(main, ["export-ledger", "--format", "xlsx", "--region", "341622", str(path)])
    assert result.exit_code == 0, result.output
    assert "exported=1" in result.output
    book = load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    book.close()
    assert [r[0] for r in rows] == [other.public_code]

    path = tmp_path / "ledger.csv"
    result = runner.invoke(main, ["export-ledger", "--format", "csv", "--region", "341621100",
                                  "--from", "2026-01-01", "--to", "2026-06-30", str(path)])
    assert result.exit_code == 0 and "exported=2" in result.output
    bad = runner.invoke(main, ["export-ledger", "--format", "csv", "--region", "34x", str(path)])
    assert bad.exit_code == 2
    bad_date = runner.invoke(main, ["export-ledger", "--format", "csv", "--from", "2026-02-30", str(path)])
    assert bad_date.exit_code == 2


def test_a_formula_in_an_item_title_reaches_the_export_as_text(world, engine, tmp_path):
    """An aid item titled =HYPERLINK(...) would run in the official's spreadsheet: CSV gets a leading
    quote, XLSX a text cell; the negative correction amount stays a number."""
    household = world.household(tier="dibao")
    paid = _government(world, household, date(2026, 3, 5), title='=HYPERLINK("http://x","y")')
    with world.tx() as s:
        corrections.correct(s, world.user(s, world.poster), s.get(Household, household.id), paid.id,
                            corrections.CorrectionInput("@误登记", amount_fen=52800))
    with reading_session(engine) as session:
        export_ledger(session, tmp_path / "l.csv", "csv", ExportFilters())
        export_ledger(session, tmp_path / "l.xlsx", "xlsx", ExportFilters())
    with open(tmp_path / "l.csv", encoding="utf-8-sig", newline="") as handle:
        first, fix = list(csv.reader(handle))[1:]
    assert first[6] == '\'=HYPERLINK("http://x","y")' and first[7] == "628.00"
    assert fix[17] == "'@误登记"
    sheet = load_workbook(tmp_path / "l.xlsx").active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["G2"].value == '=HYPERLINK("http://x","y")' and sheet["G2"].data_type == "s"
    assert sheet["H2"].data_type == "n"
