"""救助项目 becomes a chain entry's title and goes into the 衔接台账 and reports: a row whose item holds an
ID number or a phone number, however typed, is rejected naming the span, and nothing of it is written."""

import synthetic
from importing_support import base_row, count, read_errors
from sqlmodel import Session

from marketplace.ledger.export import ExportFilters, export_ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.registry.importing import import_aid, import_registry

AID_HEADERS = ["户编号", "身份证号", "救助项目", "金额", "发放日期"]
ID = synthetic.make_id(born="19580312", seq="452")
SPACED = f"{ID[:6]} {ID[6:14]} {ID[14:]}"  # 341621 19580312 452x


def read_text(path) -> str:
    return path.read_text(encoding="utf-8-sig")


WIDE = ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


def test_an_item_with_an_identifier_is_rejected_and_never_reaches_the_export(engine, vault, write, tmp_path):
    assert import_registry(engine, vault, write([base_row()])).imported == 1
    rows = [["341621000000001", "", "低保金", "600", "2024-01-15"],
            ["341621000000001", "", f"临时救助{SPACED}", "800", "2024-02-15"],
            ["341621000000001", "", f"医疗救助（{WIDE}）", "900", "2024-03-15"],
            ["341621000000001", "", "取暖补贴 联系138 1234 5678", "300", "2024-12-01"]]
    path = write([dict(zip(AID_HEADERS, row, strict=True)) for row in rows], name="aid.csv", headers=AID_HEADERS)
    result = import_aid(engine, vault, path)
    assert (result.imported, result.rejected) == (1, 3)
    errors = read_errors(result.errors_path)
    assert [(e["行号"], e["列"]) for e in errors] == [("3", "救助项目"), ("4", "救助项目"), ("5", "救助项目")]
    masked = f"{ID[:6]} {'*' * 8} {ID[14:]}"  # the errors file leaves the database: masked like the cells
    assert errors[0]["原因"] == f"救助项目第5至24个字符「{masked}」是身份证号，请删去后重新导入该行"
    assert SPACED not in read_text(result.errors_path)
    assert errors[1]["原因"].startswith("救助项目第6至23个字符「") and "是身份证号" in errors[1]["原因"]
    assert errors[2]["原因"] == "救助项目第8至20个字符「138 **** 5678」是电话号码，请删去后重新导入该行"
    assert count(engine, LedgerEntry) == 1
    exported = tmp_path / "ledger.csv"
    with Session(engine) as session:
        assert export_ledger(session, exported, "csv", ExportFilters()) == 1
    text = exported.read_text(encoding="utf-8-sig")
    assert "低保金" in text and ID[6:14] not in text and "临时救助" not in text and "5678" not in text
