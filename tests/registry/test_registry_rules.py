"""Every registry validation rule, with the exact message staff read in the errors CSV."""

from datetime import date

import pytest
from importing_support import base_row, count, read_errors
from synthetic import make_id

from marketplace.registry.importing import ImportFileError, import_registry
from marketplace.registry.models import Household
from marketplace.vocabulary import HARDSHIPS

PHONE = "联系电话格式不正确，应为11位手机号或带区号的固定电话（如0558-7212345）"
MEMBERS = "家庭人口应为1至30之间的整数"
WRONG_CHECK = make_id()[:17] + ("0" if make_id()[17] != "0" else "1")

REJECTED = [
    ("户编号", "", "不能为空"),
    ("户编号", "3" * 33, "户编号过长（最多32个字）"),
    ("户主姓名", "", "不能为空"),
    ("户主姓名", "王3", "户主姓名中不应有数字，请检查各列是否错位"),
    ("户主姓名", "王" * 41, "户主姓名过长（最多40个字）"),
    ("身份证号", "", "不能为空"),
    ("身份证号", make_id()[:17], "身份证号应为18位，实际为17位"),
    ("身份证号", make_id()[:16] + "AX", "身份证号前17位须为数字，最后一位为数字或X"),
    ("身份证号", make_id(area="991621"), "身份证号前两位「99」不是有效的省级代码"),
    ("身份证号", make_id(born="19990230"), "身份证号中的出生日期「19990230」不存在"),
    ("身份证号", make_id(born="29990101"), "身份证号中的出生日期「2999-01-01」晚于今天"),
    ("身份证号", WRONG_CHECK, f"身份证号校验位错误（应为{make_id()[17]}），请核对是否录入有误"),
    ("家庭人口", "", "不能为空"),
    ("家庭人口", "0", MEMBERS),
    ("家庭人口", "31", MEMBERS),
    ("家庭人口", "2.5", MEMBERS),
    ("家庭人口", "三", MEMBERS),
    ("救助类别", "", "不能为空"),
    ("救助类别", "五保户", "救助类别「五保户」无效，应为：低保、特困、低保边缘、刚性支出困难、防止返贫监测、其他（或对应代码）"),
    ("行政区划代码", "", "不能为空"),
    ("行政区划代码", "3416211", "行政区划代码应为6、9或12位数字"),
    ("行政区划代码", "34162110020", "行政区划代码应为6、9或12位数字"),
    ("行政区划代码", "34162A", "行政区划代码应为6、9或12位数字"),
    ("行政区划代码", "999999", "行政区划代码前6位「999999」不是平台已知的县级行政区划"),
    ("行政区划代码", "341600", "行政区划代码前6位「341600」不是平台已知的县级行政区划"),  # 亳州市 has counties
    ("详细地址", "路" * 201, "详细地址过长（最多200个字）"),
    ("联系电话", "12912345678", PHONE),
    ("联系电话", "1391234567", PHONE),
    ("联系电话", "139123456789", PHONE),
    ("联系电话", "0558-72123", PHONE),
    ("联系电话", "13912345678；13812345678", PHONE),
    ("困难情形", "重病、贫困", f"困难情形「贫困」不在可选范围内（可选：{'、'.join(HARDSHIPS)}）"),
    ("纳入日期", "2021-13-01", "纳入日期「2021-13-01」不是有效的日期"),
    ("纳入日期", "2021-02-29", "纳入日期「2021-02-29」不是有效的日期"),
    ("纳入日期", "07/03/2021", "纳入日期「07/03/2021」格式不正确，应为2021-03-07或2021/3/7"),
    ("纳入日期", "2999-01-01", "纳入日期「2999-01-01」晚于今天"),
    ("纳入日期", "1900-01-01", "纳入日期「1900-01-01」过早，请核对"),
]


@pytest.mark.parametrize(("column", "value", "reason"), REJECTED)
def test_a_bad_cell_rejects_the_row_with_line_column_and_reason(engine, vault, write, column, value, reason):
    good = base_row(户编号="341621000000002", 身份证号=make_id(seq="456"))
    path = write([good, base_row(**{column: value})])
    result = import_registry(engine, vault, path)
    assert (result.imported, result.rejected) == (1, 1)
    assert result.errors_path == path.with_name("registry.errors.csv")
    [error] = read_errors(result.errors_path)
    assert (error["行号"], error["列"], error["原因"]) == ("3", column, reason)
    assert count(engine, Household) == 1  # the bad row is rejected whole


ACCEPTED = [
    ("救助类别", "低保", "tier", "dibao"),
    ("救助类别", "低保对象", "tier", "dibao"),
    ("救助类别", "特困", "tier", "tekun"),
    ("救助类别", "特困人员", "tier", "tekun"),
    ("救助类别", "低保边缘家庭", "tier", "marginal"),
    ("救助类别", "刚性支出困难", "tier", "rigid_expense"),
    ("救助类别", "防止返贫监测对象", "tier", "monitored"),
    ("救助类别", "其他困难人员", "tier", "other"),
    ("救助类别", "rigid_expense", "tier", "rigid_expense"),
    ("救助类别", "DIBAO", "tier", "dibao"),
    ("家庭人口", "30", "members", 30),
    ("家庭人口", "1", "members", 1),
    ("困难情形", "独居；重病;高龄,失能，单亲", "hardships", ["重病", "高龄", "独居", "失能", "单亲"]),
    ("困难情形", "", "hardships", []),
    ("纳入日期", "2021/3/7", "enrolled_on", date(2021, 3, 7)),
    ("纳入日期", "2021-03-07", "enrolled_on", date(2021, 3, 7)),
    ("纳入日期", "", "enrolled_on", None),
    ("行政区划代码", "341621", "region_code", "341621"),
    ("行政区划代码", "341621100201", "region_code", "341621100201"),
    ("行政区划代码", "441900003", "region_code", "441900003"),  # 东莞市: a prefecture-level city without counties
    ("身份证号", make_id(born="19800101"), "head_birth_year", 1980),
    ("身份证号", " " + make_id(area="110101", born="20120229") + " ", "head_birth_year", 2012),
]


@pytest.mark.parametrize(("column", "value", "field", "stored"), ACCEPTED)
def test_accepted_spellings_are_stored_normalised(engine, vault, write, column, value, field, stored):
    result = import_registry(engine, vault, write([base_row(**{column: value})]))
    assert (result.imported, result.rejected, result.errors_path) == (1, 0, None)
    with engine.connect() as conn:
        assert conn.execute(Household.__table__.select()).mappings().one()[field] == stored


def test_lower_case_x_is_accepted_and_stored_upper_case(engine, vault, write):
    number = next(make_id(seq=f"{n:03d}") for n in range(1000) if make_id(seq=f"{n:03d}").endswith("X"))
    import_registry(engine, vault, write([base_row(身份证号=number.lower())]))
    with engine.connect() as conn:
        stored = conn.execute(Household.__table__.select()).mappings().one()
    assert vault.decrypt(stored["id_number_enc"]) == number
    assert stored["id_hmac"] == vault.lookup_key(number)


@pytest.mark.parametrize(("raw", "stored"), [
    ("13912345678", "13912345678"), ("139 1234 5678", "13912345678"), ("+86 139-1234-5678", "13912345678"),
    ("0558-7212345", "0558-7212345"), ("05587212345", "05587212345"), ("010-12345678", "010-12345678"),
])
def test_phone_spellings(engine, vault, write, raw, stored):
    import_registry(engine, vault, write([base_row(联系电话=raw)]))
    with engine.connect() as conn:
        assert vault.decrypt(conn.execute(Household.__table__.select()).mappings().one()["phone_enc"]) == stored


def test_every_problem_of_a_row_is_reported_together(engine, vault, write):
    result = import_registry(engine, vault, write([base_row(户主姓名="", 家庭人口="40", 联系电话="123")]))
    [error] = read_errors(result.errors_path)
    assert error["列"] == "户主姓名、家庭人口、联系电话"
    assert error["原因"] == f"不能为空；{MEMBERS}；{PHONE}"


def test_a_row_repeating_an_earlier_id_number_or_household_no_names_the_earlier_line(engine, vault, write):
    first = base_row()
    same_id = base_row(户编号="341621000000002")
    same_no = base_row(身份证号=make_id(seq="456"))
    other = base_row(户编号="341621000000003", 身份证号=make_id(seq="789"))
    result = import_registry(engine, vault, write([first, other, same_id, same_no]))
    assert (result.imported, result.rejected) == (2, 2)
    errors = read_errors(result.errors_path)
    assert [(e["行号"], e["列"], e["原因"]) for e in errors] == [
        ("4", "身份证号", "与第2行的身份证号重复"),
        ("5", "户编号", "与第2行的户编号重复"),
    ]


def test_an_id_number_already_held_by_another_household_is_rejected(engine, vault, write):
    import_registry(engine, vault, write([base_row()], name="first.csv"))
    result = import_registry(engine, vault, write([base_row(户编号="341621000000009")], name="second.csv"))
    assert (result.imported, result.rejected) == (0, 1)
    [error] = read_errors(result.errors_path)
    assert (error["列"], error["原因"]) == ("身份证号", "该身份证号已登记在其他户编号下（同一人只能属于一户）")


def test_scope_prefix_rejects_rows_outside_the_staff_region(engine, vault, write):
    rows = [base_row(), base_row(户编号="341622000000001", 身份证号=make_id(seq="456"), 行政区划代码="341622100"),
            base_row(户编号="341621000000002", 身份证号=make_id(seq="789"), 行政区划代码="341621101201")]
    result = import_registry(engine, vault, write(rows), scope_prefix="341621")
    assert (result.imported, result.rejected) == (2, 1)
    [error] = read_errors(result.errors_path)
    assert (error["行号"], error["列"], error["原因"]) == ("3", "行政区划代码", "不在您负责的行政区划内")


def test_missing_required_headers_are_named_and_nothing_is_written(engine, vault, write):
    row = base_row()
    del row["家庭人口"], row["救助类别"]
    with pytest.raises(ImportFileError) as raised:
        import_registry(engine, vault, write([row]))
    assert str(raised.value) == "缺少必需的列：家庭人口、救助类别。请确认第一行是表头，列名与模板一致。"
    assert count(engine, Household) == 0


def test_a_repeated_header_is_refused(engine, vault, write):
    headers = [*base_row().keys(), "身份证号码"]
    with pytest.raises(ImportFileError, match="表头中「身份证号」列出现了不止一次"):
        import_registry(engine, vault, write([[*base_row().values(), make_id()]], headers=headers))


def test_a_short_row_counts_its_missing_cells_as_empty(engine, vault, write):
    result = import_registry(engine, vault, write([list(base_row().values())[:4]]))
    [error] = read_errors(result.errors_path)
    assert (error["列"], error["原因"]) == ("救助类别、行政区划代码", "不能为空；不能为空")
