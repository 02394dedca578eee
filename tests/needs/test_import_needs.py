"""`marketplace import-needs`: a need list published as open needs, each row through the same privacy scan
and duplicate check as a need posted by hand; the registry import's reporting contract."""

import csv
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from marketplace.cli import main
from marketplace.needs.models import Need, NeedHistory

HEADERS = ["户编号", "需求类别", "标题", "描述", "需求形式", "目标金额", "数量", "截止日期", "紧急程度", "服务开始", "服务结束",
           "受助成员", "物品", "一事一议理由", "需求来源"]
DEADLINE = (date.today() + timedelta(days=30)).isoformat()


def row(**cells) -> dict[str, str]:
    base = {"户编号": "H-001", "需求类别": "助学", "标题": "秋季学期学费缺口", "描述": "孩子读高一，学费尚缺一部分。",
            "需求形式": "资金", "目标金额": "1500", "截止日期": DEADLINE, "紧急程度": "较急", "服务开始": "2026-09-01",
            "服务结束": "2027-01-31", "受助成员": "子女1", "需求来源": "窗口受理"}
    base.update(cells)
    return base


@pytest.fixture
def cli(database_url, monkeypatch, engine):
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


@pytest.fixture
def write(tmp_path):
    def write(rows, name="needs.csv"):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows([[r.get(h, "") for h in HEADERS] for r in rows])
        return path

    return write


def errors_of(path) -> list[dict[str, str]]:
    with open(path.with_name(path.stem + ".errors.csv"), encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def households(world):
    world.household(household_no="H-001", name="王秀英", address="涡阳县楚店镇李楼村三组12号")
    world.household(household_no="H-002")
    world.household(household_no="H-003", region_code="341622100")  # another county: outside poster's scope
    return world


def test_rows_are_published_as_open_needs_and_reimporting_changes_nothing(cli, write, households, engine):
    path = write([row(), row(户编号="H-002", 需求类别="goods", 需求形式="物资", 标题="冬季取暖电暖器", 目标金额="", 数量="1",
                             物品="电暖器", 服务开始="", 服务结束="", 受助成员="")])
    result = cli("import-needs", path, "--as", "poster@guoyang.gov.cn")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "imported=2 updated=0 unchanged=0 rejected=0"
    with households.tx() as s:
        needs = s.scalars(select(Need).order_by(Need.id)).all()
        assert [(n.status, n.category, n.created_by_id) for n in needs] == [
            ("open", "education", households.poster), ("open", "goods", households.poster)]
        assert (needs[0].member_ref, needs[0].period_start, needs[0].target_amount_fen) == ("子女1", date(2026, 9, 1), 150000)
        assert (needs[1].item_key, needs[1].unit) == ("电暖器", "件")
        assert s.scalar(select(func.count()).select_from(NeedHistory)) == 4  # created + published, twice
    again = cli("import-needs", path, "--as", "poster@guoyang.gov.cn")
    assert again.stdout.splitlines()[-1] == "imported=0 updated=0 unchanged=2 rejected=0"


def test_a_duplicate_row_is_rejected_with_the_matches_unless_it_gives_a_reason(cli, write, households):
    households.need("verified", household=households.household(household_no="H-009"), member_ref="子女1",
                    period_start=date(2026, 9, 1), period_end=date(2027, 1, 31), title="高一学费资助")
    rows = [row(户编号="H-009"), row(户编号="H-009", 受助成员="子女2", 标题="秋季学期学费缺口（老二）"),
            row(户编号="H-009", 标题="高一学费再资助", 一事一议理由="家中突发重病，经村委会评议同意")]
    path = write(rows)
    result = cli("import-needs", path, "--as", "poster@guoyang.gov.cn")
    assert result.stdout.splitlines()[-1] == "imported=2 updated=0 unchanged=0 rejected=1", errors_of(path)
    [rejected] = errors_of(path)
    assert rejected["行号"] == "2" and rejected["列"] == "需求类别"
    assert "可能重复救助" in rejected["原因"] and "高一学费资助" in rejected["原因"] and "涡阳县慈善协会" in rejected["原因"]
    assert "2026-09-01至2027-01-31" in rejected["原因"]


def test_rows_in_one_file_cannot_duplicate_each_other(cli, write, households):
    path = write([row(), row(标题="秋季学期书本费")])
    result = cli("import-needs", path, "--as", "poster@guoyang.gov.cn")
    assert result.stdout.splitlines()[-1] == "imported=1 updated=0 unchanged=0 rejected=1"
    assert "本平台需求（待认领）" in errors_of(path)[0]["原因"]


def test_privacy_scope_and_value_problems_are_rejected_with_the_reason(cli, write, households, engine):
    path = write([
        row(描述="户主王秀英长期卧病"),
        row(户编号="H-002", 描述="请拨打 13912345678 联系"),
        row(户编号="H-003"),
        row(户编号="H-404"),
        row(户编号="H-002", 需求类别="助残", 截止日期="明年"),
        row(户编号="H-002", 受助成员="张小明", 标题="高一书本费缺口"),
    ])
    result = cli("import-needs", path, "--as", "poster@guoyang.gov.cn")
    assert result.stdout.splitlines()[-1] == "imported=0 updated=0 unchanged=0 rejected=6"
    for secret in ("王秀英", "13912345678", "张小明"):
        assert secret not in result.output
    errors = errors_of(path)
    assert errors[0]["列"] == "描述" and "该户人员姓名" in errors[0]["原因"]
    assert errors[1]["列"] == "描述" and "电话号码" in errors[1]["原因"]
    # Another county's household and one that does not exist get the same answer.
    assert (errors[2]["列"], errors[2]["原因"]) == ("户编号", "户编号「H-003」不在您负责的行政区划内或不存在")
    assert (errors[3]["列"], errors[3]["原因"]) == ("户编号", "户编号「H-404」不在您负责的行政区划内或不存在")
    assert errors[4]["列"] == "需求类别、截止日期"
    assert errors[5]["列"] == "受助成员" and "不得填写姓名" in errors[5]["原因"]
    with households.tx() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0


def test_dry_run_writes_nothing(cli, write, households, tmp_path):
    path = write([row(), row(标题="秋季学期书本费")])
    result = cli("import-needs", path, "--as", "poster@guoyang.gov.cn", "--dry-run", "--errors", tmp_path / "r.csv")
    assert result.stdout.splitlines()[-2:] == ["试运行（--dry-run）：未写入数据库。",
                                              "imported=1 updated=0 unchanged=0 rejected=1"]
    assert (tmp_path / "r.csv").exists()
    with households.tx() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0


def test_the_acting_account_is_required_and_must_be_staff(cli, write, households):
    path = write([row()])
    missing = cli("import-needs", path)
    assert missing.exit_code == 2 and "--as" in missing.output
    charity = cli("import-needs", path, "--as", "member@charity.org.cn")
    assert charity.exit_code == 2 and "民政工作人员" in charity.stderr
    assert "--as EMAIL" in cli("import-needs", "--help").output
