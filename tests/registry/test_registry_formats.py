"""CSV in UTF-8, UTF-8 with BOM and GB18030, and XLSX: the same content gives the same result, the same
errors report and the same database. Headers are found by name, in any order, under a title row."""

from datetime import datetime

import pytest
import synthetic
from importing_support import base_row, count, empty_database, read_errors, snapshot

from marketplace.regions.models import Region
from marketplace.registry.importing import ImportFileError, import_registry
from marketplace.registry.models import Household

FORMATS = [("registry.csv", "utf-8"), ("registry.csv", "utf-8-sig"), ("registry.csv", "gb18030"),
           ("registry.xlsx", None)]


def content() -> list[list[str]]:
    rows = list(synthetic.rows(60, seed=11))
    rows[10][3] = "0"  # a bad size
    rows[20][2] = rows[5][2]  # a repeated ID number
    rows[30][6] = "蒙城县双涧镇" + "路" * 200  # an address too long
    return rows


def expected(tmp_path, engine, vault) -> tuple:
    path = tmp_path / "reference.csv"
    synthetic.write_csv(path, synthetic.HEADERS, content())
    result = import_registry(engine, vault, path)
    return result.summary(), read_errors(result.errors_path), snapshot(engine, vault)


@pytest.mark.parametrize(("name", "encoding"), FORMATS, ids=["utf-8", "utf-8-bom", "gb18030", "xlsx"])
def test_every_format_gives_the_same_result_and_database(tmp_path, engine, vault, write, name, encoding):

    summary, errors, state = expected(tmp_path, engine, vault)
    assert summary == "imported=57 updated=0 unchanged=0 rejected=3"
    empty_database(engine)
    path = write(content(), name=name, encoding=encoding or "utf-8")
    if encoding == "gb18030":
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    result = import_registry(engine, vault, path)
    assert result.summary() == summary
    assert read_errors(result.errors_path) == errors
    assert snapshot(engine, vault) == state


def test_xlsx_numbers_and_dates_read_as_the_text_staff_typed(tmp_path, engine, vault, write):
    from openpyxl import Workbook

    row = base_row()
    csv_result = import_registry(engine, vault, write([row]))
    state = snapshot(engine, vault)

    empty_database(engine)
    book = Workbook()
    sheet = book.active
    sheet.append(list(row.keys()))
    typed = dict(row, 户编号=341621000000001, 家庭人口=3.0, 行政区划代码=341621100, 联系电话=13912345678,
                 纳入日期=datetime(2021, 3, 7))
    sheet.append(list(typed.values()))
    path = tmp_path / "typed.xlsx"
    book.save(path)
    assert import_registry(engine, vault, path).summary() == csv_result.summary()
    assert snapshot(engine, vault) == state


def test_headers_in_any_order_with_aliases_spaces_and_a_title_row(engine, vault, write, tmp_path):
    row = base_row()
    english = {"户编号": " household_no ", "户主姓名": "HEAD_NAME", "身份证号": "身份证号码", "家庭人口": "members*",
               "救助类别": "tier", "行政区划代码": "\u3000行政区划代码", "详细地址": "address", "联系电话": "手机号码",
               "困难情形": "hardships", "纳入日期": "enrolled_on"}
    order = list(reversed(row))
    path = tmp_path / "titled.csv"
    synthetic.write_csv(path, ["涡阳县2024年低收入人口名单"], [[english[h] for h in order] + ["备注", "序号"],
                                                                   [row[h] for h in order] + ["无", "1"],
                                                                   [row[h] for h in order[:-1]] + ["", "x", "2"]])
    result = import_registry(engine, vault, path)
    assert result.unknown_columns == ["备注", "序号"]
    assert (result.imported, result.rejected) == (1, 1)
    [error] = read_errors(result.errors_path)
    assert error["行号"] == "4"  # the title is line 1, the header line 2
    assert (error["列"], error["原因"]) == ("户编号、身份证号", "不能为空；与第3行的身份证号重复")


def test_a_quoted_cell_spanning_lines_reports_the_line_the_row_starts_on(engine, vault, write):
    rows = [base_row(详细地址="三组\n12号"), base_row(户编号="341621000000002", 身份证号="1")]
    result = import_registry(engine, vault, write(rows))
    [error] = read_errors(result.errors_path)
    assert error["行号"] == "4"


def test_the_errors_csv_opens_in_excel_and_can_be_corrected_and_imported_again(engine, vault, write):
    path = write([base_row(家庭人口="零")])
    result = import_registry(engine, vault, path)
    assert result.errors_path.read_bytes().startswith(b"\xef\xbb\xbf")
    [error] = read_errors(result.errors_path)
    assert error["户主姓名"] == "王秀英" and error["家庭人口"] == "零"
    # ID number and phone are masked; staff correct the count and fill them back from their own file.
    original = base_row()
    assert error["身份证号"] == original["身份证号"][:6] + "*" * 8 + original["身份证号"][-4:]
    assert error["联系电话"] == "139****5678"
    fixed = [dict(error, 家庭人口="2", 身份证号=original["身份证号"], 联系电话=original["联系电话"])]
    again = import_registry(engine, vault, write(fixed, name="fixed.csv"))
    assert (again.imported, again.rejected, again.unknown_columns) == (1, 0, ["行号", "列", "原因"])


def test_a_clean_run_removes_a_stale_errors_report(engine, vault, write):
    path = write([base_row(家庭人口="零")])
    assert import_registry(engine, vault, path).errors_path.exists()
    path = write([base_row()])
    result = import_registry(engine, vault, path)
    assert result.errors_path is None and not path.with_name("registry.errors.csv").exists()


def test_errors_go_where_asked(engine, vault, write, tmp_path):
    target = tmp_path / "elsewhere" / "report.csv"
    target.parent.mkdir()
    result = import_registry(engine, vault, write([base_row(家庭人口="零")]), errors_path=target)
    assert result.errors_path == target and read_errors(target)[0]["家庭人口"] == "零"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "文件是空的，没有表头和数据。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入。"),
    (b"PK\x03\x04 not really a zip", "无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式。"),
    (b"\x81\xff\xfe\x80\x80" * 20, "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件，或 Excel（.xlsx）文件。"),
])
def test_an_unreadable_file_is_refused_and_nothing_is_written(engine, vault, tmp_path, data, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError) as raised:
        import_registry(engine, vault, path)
    assert str(raised.value) == message
    assert count(engine, Household) == 0 and count(engine, Region) == 0


def test_a_missing_file_is_refused(engine, vault, tmp_path):
    with pytest.raises(ImportFileError, match="无法打开文件"):
        import_registry(engine, vault, tmp_path / "nope.csv")


def test_the_errors_csv_masks_identifiers_and_neutralises_formulas(engine, vault, write):
    """The rejected rows are echoed into a file that is downloaded and passed on: ID numbers and phones
    are masked in every cell (the reason included), and a formula typed into a cell is not live."""
    number = synthetic.make_id(born="19900101", seq="452")
    path = write([base_row(户主姓名='=HYPERLINK("http://x","y")', 身份证号=number, 联系电话="13812345678",
                           家庭人口="零", 详细地址=f"三组 备用电话0558-5123456 户主{number}")])
    result = import_registry(engine, vault, path)
    raw = result.errors_path.read_text(encoding="utf-8-sig")
    [error] = read_errors(result.errors_path)
    assert number not in raw and "13812345678" not in raw and "5123456" not in raw
    assert error["身份证号"] == number[:6] + "********" + number[-4:] and error["联系电话"] == "138****5678"
    assert error["详细地址"] == f"三组 备用电话0558-***3456 户主{number[:6]}********{number[-4:]}"
    assert error["户主姓名"] == '\'=HYPERLINK("http://x","y")'
    assert error["户编号"] == base_row()["户编号"]  # the 户编号 stays readable: staff find the row by it
