"""`marketplace import-registry` and `marketplace import-aid`: the summary line last, exit 0 when the file
was read, 2 (and nothing written) when it was not; never a name, ID number or phone on the terminal."""

import pytest
import synthetic
from click.testing import CliRunner
from importing_support import base_row, count, read_errors

from marketplace.cli import main
from marketplace.ledger.models import LedgerEntry
from marketplace.regions.models import Region
from marketplace.registry.models import Household


@pytest.fixture
def cli(database_url, monkeypatch, engine):
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_import_registry_ends_with_the_summary_and_shows_no_personal_data(cli, write):
    rows = [dict(base_row(), 备注="新增"), dict(base_row(户编号="341621000000002", 家庭人口="零"), 备注="")]
    path = write(rows)
    result = cli("import-registry", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "imported=1 updated=0 unchanged=0 rejected=1"
    assert "未识别的列（已忽略）：备注" in lines
    assert f"被拒绝的行及原因：{path.with_name('registry.errors.csv')}" in lines
    for secret in (synthetic.make_id(), "13912345678", "王秀英", "三组12号"):
        assert secret not in result.output
    assert read_errors(path.with_name("registry.errors.csv"))[0]["行号"] == "3"
    again = cli("import-registry", path)
    assert again.stdout.splitlines()[-1] == "imported=0 updated=0 unchanged=1 rejected=1"


def test_missing_required_headers_exit_2_and_write_nothing(cli, write, engine):
    row = base_row()
    del row["身份证号"]
    result = cli("import-registry", write([row]))
    assert result.exit_code == 2
    assert "缺少必需的列：身份证号" in result.stderr
    assert result.stdout == ""
    assert count(engine, Household) == 0 and count(engine, Region) == 0  # not even the region table


@pytest.mark.parametrize("content", [b"", b"\xd0\xcf\x11\xe0" + b"\0" * 64, b"PK\x03\x04junk", b"\xff\xfe\x81" * 30])
def test_an_unreadable_file_exits_2(cli, tmp_path, engine, content):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    result = cli("import-registry", path)
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert count(engine, Household) == 0


def test_a_missing_file_exits_2(cli, tmp_path):
    assert cli("import-registry", tmp_path / "nope.csv").exit_code == 2


def test_dry_run_and_errors_path(cli, write, tmp_path, engine):
    report = tmp_path / "report.csv"
    result = cli("import-registry", write([base_row(), base_row(户编号="2", 家庭人口="零")]), "--dry-run",
                 "--errors", report)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == ["试运行（--dry-run）：未写入数据库。",
                                              "imported=1 updated=0 unchanged=0 rejected=1"]
    assert read_errors(report)[0]["家庭人口"] == "零"
    assert count(engine, Household) == 0


def test_import_aid(cli, write):
    assert cli("import-registry", write([base_row()])).exit_code == 0
    headers = ["户编号", "救助项目", "金额", "发放日期"]
    path = write([dict(zip(headers, ["341621000000001", "低保金", "600", "2024-01-15"], strict=True))],
                 name="aid.xlsx", headers=headers)
    result = cli("import-aid", path)
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "imported=1 updated=0 unchanged=0 rejected=0"
    assert cli("import-aid", path).stdout.splitlines()[-1] == "imported=0 updated=0 unchanged=1 rejected=0"


def test_import_aid_without_required_headers_exits_2(cli, write, engine):
    assert cli("import-registry", write([base_row()])).exit_code == 0
    headers = ["户编号", "金额"]
    result = cli("import-aid", write([dict(zip(headers, ["341621000000001", "600"], strict=True))], name="aid.csv",
                                     headers=headers))
    assert result.exit_code == 2 and "缺少必需的列：救助项目、发放日期" in result.stderr
    assert count(engine, LedgerEntry) == 0


def test_a_command_line_import_leaves_its_counts_in_the_security_log(cli, write, engine):
    from sqlalchemy import select
    from sqlmodel import Session

    from marketplace.security.models import SecurityEvent

    path = write([base_row(), base_row(户编号="341621000000002", 家庭人口="零")])
    assert cli("import-registry", path, "--dry-run").exit_code == 0
    assert cli("import-registry", path).exit_code == 0
    with Session(engine) as s:
        events = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "registry.import")).all()
    assert len(events) == 1  # the dry run wrote nothing
    event = events[0]
    assert event.rows == 2 and event.actor_id is None
    assert event.detail["imported"] == 1 and event.detail["rejected"] == 1 and event.detail["via"] == "cli"
    assert synthetic.make_id() not in str(event.detail)
