"""Government aid already paid, appended to the households' chains as government entries, with the same
validation, reporting and idempotency as the registry import."""

from datetime import date

import pytest
import synthetic
from importing_support import base_row, count, read_errors
from sqlalchemy import select
from sqlmodel import Session

from marketplace.aid_items.mapping import load
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.registry.importing import ImportFileError, import_aid, import_registry
from marketplace.registry.models import Household

AID_HEADERS = ["户编号", "身份证号", "救助项目", "金额", "发放日期"]
SECOND_ID = synthetic.make_id(seq="456")


@pytest.fixture
def registry(engine, vault, write):
    rows = [base_row(), base_row(户编号="341621000000002", 身份证号=SECOND_ID),
            base_row(户编号="341622000000001", 身份证号=synthetic.make_id(seq="789"), 行政区划代码="341622100")]
    assert import_registry(engine, vault, write(rows)).imported == 3


def aid(write, rows, name="aid.csv", headers=AID_HEADERS):
    return write([dict(zip(headers, row, strict=True)) for row in rows], name=name, headers=headers)


def test_payments_are_appended_as_government_entries_and_reimporting_appends_nothing(engine, vault, write, registry):
    path = aid(write, [
        ["341621000000001", "", "低保金", "1,256.00", "2024/1/15"],
        ["341621000000001", "", "临时救助", "1250", "2024-02-03"],
        ["", SECOND_ID, "医疗救助", "830.5", "2024-03-01"],
        ["341621000000002", SECOND_ID.lower(), "冬季取暖补贴", "300元", "2023-12-20"],
    ])
    result = import_aid(engine, vault, path, actor_id=None)
    assert result.summary() == "imported=4 updated=0 unchanged=0 rejected=0"
    with engine.connect() as conn:
        numbers = dict(conn.execute(select(Household.id, Household.household_no)).all())
        entries = conn.execute(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(numbers[e.household_id], e.seq, e.source, e.kind, e.category, e.title, e.amount_fen, e.occurred_on)
            for e in entries] == [
        ("341621000000001", 1, "government", "aid", "basic_living", "低保金", 125600, date(2024, 1, 15)),
        ("341621000000001", 2, "government", "aid", "emergency", "临时救助", 125000, date(2024, 2, 3)),
        ("341621000000002", 1, "government", "aid", "medical", "医疗救助", 83050, date(2024, 3, 1)),
        ("341621000000002", 2, "government", "aid", "goods", "冬季取暖补贴", 30000, date(2023, 12, 20)),
    ]
    assert all(e.external_key and e.region_code == "341621100" for e in entries)
    again = import_aid(engine, vault, path)
    assert again.summary() == "imported=0 updated=0 unchanged=4 rejected=0"
    assert count(engine, LedgerEntry) == 4
    with Session(engine) as session:
        assert first_break(session) is None


def test_the_same_payment_keyed_by_id_number_is_recognised_as_already_recorded(engine, vault, write, registry):
    import_aid(engine, vault, aid(write, [["341621000000002", "", "低保金", "600", "2024-01-15"]]))
    result = import_aid(engine, vault, aid(write, [["", SECOND_ID, "低保金", "600.00", "2024/1/15"]], name="b.csv"))
    assert result.summary() == "imported=0 updated=0 unchanged=1 rejected=0"


AID_REJECTED = [
    (["", "", "低保金", "600", "2024-01-15"], "户编号", "户编号和身份证号至少填写一项"),
    (["341621000000099", "", "低保金", "600", "2024-01-15"], "户编号", "不在您负责的行政区划内或不存在"),
    (["", synthetic.make_id(seq="999"), "低保金", "600", "2024-01-15"], "身份证号", "不在您负责的行政区划内或不存在"),
    (["", synthetic.make_id(seq="999")[:17], "低保金", "600", "2024-01-15"], "身份证号", "身份证号应为18位，实际为17位"),
    (["341621000000001", SECOND_ID, "低保金", "600", "2024-01-15"], "身份证号", "身份证号与户编号不属于同一户"),
    (["341621000000001", "", "", "600", "2024-01-15"], "救助项目", "不能为空"),
    (["341621000000001", "", "救" * 61, "600", "2024-01-15"], "救助项目", "救助项目过长（最多60个字）"),
    (["341621000000001", "", "低保金", "", "2024-01-15"], "金额", "不能为空"),
    (["341621000000001", "", "低保金", "0", "2024-01-15"], "金额", "金额应大于0"),
    (["341621000000001", "", "低保金", "-5", "2024-01-15"], "金额", "金额应为以元为单位的数字，最多两位小数（如1250或1250.50）"),
    (["341621000000001", "", "低保金", "12.345", "2024-01-15"], "金额", "金额应为以元为单位的数字，最多两位小数（如1250或1250.50）"),
    (["341621000000001", "", "低保金", "六百", "2024-01-15"], "金额", "金额应为以元为单位的数字，最多两位小数（如1250或1250.50）"),
    (["341621000000001", "", "低保金", "1000000.01", "2024-01-15"], "金额", "金额超过100万元，请核对"),
    (["341621000000001", "", "低保金", "600", ""], "发放日期", "不能为空"),
    (["341621000000001", "", "低保金", "600", "2999-01-15"], "发放日期", "发放日期「2999-01-15」晚于今天"),
    (["341621000000001", "", "低保金", "600", "15.1.2024"], "发放日期", "发放日期「15.1.2024」格式不正确，应为2021-03-07或2021/3/7"),
]


@pytest.mark.parametrize(("row", "column", "reason"), AID_REJECTED)
def test_aid_rules(engine, vault, write, registry, row, column, reason):
    result = import_aid(engine, vault, aid(write, [row]))
    assert (result.imported, result.rejected) == (0, 1)
    [error] = read_errors(result.errors_path)
    assert (error["行号"], error["列"], error["原因"]) == ("2", column, reason)
    assert count(engine, LedgerEntry) == 0


def test_a_payment_typed_twice_is_rejected_naming_the_first_line(engine, vault, write, registry):
    path = aid(write, [["341621000000001", "", "低保金", "600", "2024-01-15"],
                       ["341621000000002", "", "低保金", "600", "2024-01-15"],
                       ["341621000000001", "", "低保金", "600.00", "2024/1/15"]])
    result = import_aid(engine, vault, path)
    assert (result.imported, result.rejected) == (2, 1)
    [error] = read_errors(result.errors_path)
    assert (error["行号"], error["列"], error["原因"]) == ("4", "救助项目", "与第2行重复（同一户、同一救助项目、金额和发放日期）")


def test_scope_prefix_rejects_households_outside_the_staff_region(engine, vault, write, registry):
    path = aid(write, [["341621000000001", "", "低保金", "600", "2024-01-15"],
                       ["341622000000001", "", "低保金", "600", "2024-01-15"]])
    result = import_aid(engine, vault, path, scope_prefix="341621")
    assert (result.imported, result.rejected) == (1, 1)
    assert read_errors(result.errors_path)[0]["原因"] == "不在您负责的行政区划内或不存在"


def test_a_file_with_only_id_numbers_is_accepted(engine, vault, write, registry):
    headers = ["身份证号", "救助项目", "金额", "发放日期"]
    result = import_aid(engine, vault, aid(write, [[SECOND_ID, "教育救助", "2000", "2024-09-01"]], headers=headers))
    assert result.imported == 1


def test_an_aid_file_without_a_household_key_column_is_refused(engine, vault, write, registry):
    headers = ["救助项目", "金额", "发放日期"]
    with pytest.raises(ImportFileError) as raised:
        import_aid(engine, vault, aid(write, [["低保金", "600", "2024-01-15"]], headers=headers))
    assert str(raised.value) == "缺少必需的列：户编号或身份证号。请确认第一行是表头，列名与模板一致。"


def test_a_dry_run_appends_nothing(engine, vault, write, registry):
    result = import_aid(engine, vault, aid(write, [["341621000000001", "", "低保金", "600", "2024-01-15"]]),
                        dry_run=True)
    assert result.summary() == "imported=1 updated=0 unchanged=0 rejected=0"
    assert count(engine, LedgerEntry) == 0


@pytest.mark.parametrize(("item", "category", "kind"), [
    ("低保金", "basic_living", None), ("城市低保补差", "basic_living", None), ("特困供养金", "basic_living", None),
    ("孤儿基本生活费", "basic_living", None), ("事实无人抚养儿童基本生活费", "basic_living", None),
    ("高龄津贴", "basic_living", None), ("丧葬补助", "basic_living", None), ("残疾人两项补贴", "basic_living", None),
    ("困难残疾人生活补贴", "basic_living", None), ("重度残疾人护理补贴", "basic_living", None),
    ("临时救助", "emergency", None), ("急难型临时救助", "emergency", None), ("支出型临时救助", "emergency", None),
    ("受灾人员救助", "emergency", None), ("医疗救助", "medical", None), ("大病救助", "medical", None),
    ("低保边缘家庭医疗救助", "medical", None), ("教育救助", "education", None), ("住房救助", "housing", None),
    ("危房改造补助", "housing", None), ("取暖补贴", "goods", "取暖"), ("冬季救助", "goods", "取暖"),
    ("无障碍改造", "accessibility", None), ("居家适老化改造补贴", "accessibility", None),
    ("就业救助", "employment", None), ("公益性岗位补贴", "employment", None),
])
def test_aid_items_map_to_platform_categories(engine, item, category, kind):
    with Session(engine) as session:
        mapped = load(session).lookup(item)
    assert (mapped.category, mapped.goods_kind) == (category, kind)


def test_an_item_no_pattern_covers_is_unmapped(engine):
    with Session(engine) as session:
        assert load(session).lookup("春节慰问金") is None
