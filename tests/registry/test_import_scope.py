"""Bulk paths stay inside the actor's scope (issue 11, finding 2): a 户编号 of another county is a rejected
row, never an update, and the registry import never moves a household between regions. The aid import
answers the same for a household outside the clerk's scope and one that does not exist."""

import synthetic
from importing_support import base_row, count, read_errors
from sqlalchemy import select

from marketplace.ledger.models import LedgerEntry
from marketplace.registry.importing import import_aid, import_registry
from marketplace.registry.importing.registry_import import ELSEWHERE, MOVE_REFUSED
from marketplace.registry.models import Household, HouseholdHistory

MENGCHENG_NO = "341622000000001"
MENGCHENG_ID = synthetic.make_id(area="341622", seq="789")


def _household(engine, household_no: str):
    with engine.connect() as conn:
        return conn.execute(select(Household).where(Household.household_no == household_no)).one()


def _mengcheng(engine, vault, write):
    """A 蒙城县 household, imported by the operator (the CLI runs with the full scope)."""
    row = base_row(户编号=MENGCHENG_NO, 户主姓名="王桂兰", 身份证号=MENGCHENG_ID, 救助类别="低保", 行政区划代码="341622100")
    assert import_registry(engine, vault, write([row], name="mengcheng.csv")).imported == 1
    return _household(engine, MENGCHENG_NO)


def test_a_household_number_of_another_county_is_rejected_and_the_household_keeps_everything(engine, vault, write):
    before = _mengcheng(engine, vault, write)
    takeover = base_row(户编号=MENGCHENG_NO, 户主姓名="张冒名", 身份证号=synthetic.make_id(seq="111"), 救助类别="特困",
                        行政区划代码="341621100")
    result = import_registry(engine, vault, write([takeover], name="guoyang.csv"), scope_prefix="341621")
    assert result.summary() == "imported=0 updated=0 unchanged=0 rejected=1"
    [error] = read_errors(result.errors_path)
    assert (error["列"], error["原因"]) == ("户编号", "该户属于其他行政区划")
    after = _household(engine, MENGCHENG_NO)
    assert (after.region_code, after.tier) == ("341622100", "dibao")
    assert vault.decrypt(after.head_name_enc) == "王桂兰" and vault.decrypt(after.id_number_enc) == MENGCHENG_ID
    assert after.id_hmac == before.id_hmac and after.row_digest == before.row_digest
    assert count(engine, HouseholdHistory) == 0


def test_a_dry_run_judges_the_takeover_the_same_way(engine, vault, write):
    _mengcheng(engine, vault, write)
    takeover = base_row(户编号=MENGCHENG_NO, 身份证号=synthetic.make_id(seq="111"), 行政区划代码="341621100")
    result = import_registry(engine, vault, write([takeover], name="guoyang.csv"), scope_prefix="341621",
                             dry_run=True)
    assert (result.updated, result.rejected) == (0, 1)
    assert read_errors(result.errors_path)[0]["原因"] == ELSEWHERE


def test_the_import_never_moves_a_household_to_another_township(engine, vault, write):
    import_registry(engine, vault, write([base_row()]))
    moved = base_row(行政区划代码="341621101")
    result = import_registry(engine, vault, write([moved], name="moved.csv"))
    assert (result.updated, result.rejected) == (0, 1)
    [error] = read_errors(result.errors_path)
    assert (error["列"], error["原因"]) == ("行政区划代码", MOVE_REFUSED)
    assert _household(engine, "341621000000001").region_code == "341621100"


def test_a_more_precise_code_inside_the_same_place_is_not_a_move(engine, vault, write):
    import_registry(engine, vault, write([base_row()]))
    result = import_registry(engine, vault, write([base_row(行政区划代码="341621100201")], name="village.csv"),
                             scope_prefix="341621")
    assert (result.updated, result.rejected) == (1, 0)
    assert _household(engine, "341621000000001").region_code == "341621100201"


def test_the_aid_import_does_not_tell_out_of_scope_from_unknown(engine, vault, write):
    _mengcheng(engine, vault, write)
    import_registry(engine, vault, write([base_row()], name="guoyang.csv"))
    headers = ["户编号", "身份证号", "救助项目", "金额", "发放日期"]
    rows = [[MENGCHENG_NO, "", "低保金", "600", "2024-01-15"],
            ["341621000000099", "", "低保金", "600", "2024-01-15"],
            ["", MENGCHENG_ID, "低保金", "600", "2024-01-15"],
            ["", synthetic.make_id(seq="999"), "低保金", "600", "2024-01-15"]]
    path = write([dict(zip(headers, row, strict=True)) for row in rows], name="aid.csv", headers=headers)
    result = import_aid(engine, vault, path, scope_prefix="341621")
    assert (result.imported, result.rejected) == (0, 4)
    errors = read_errors(result.errors_path)
    assert [(e["列"], e["原因"]) for e in errors] == [
        ("户编号", "不在您负责的行政区划内或不存在"), ("户编号", "不在您负责的行政区划内或不存在"),
        ("身份证号", "不在您负责的行政区划内或不存在"), ("身份证号", "不在您负责的行政区划内或不存在")]
    assert count(engine, LedgerEntry) == 0


def test_a_county_clerk_uploading_another_countys_household_number_takes_nothing(client, world, engine):
    """Finding 2 as it was found: 涡阳 staff upload one row with a 蒙城 户编号 and a 涡阳 region code."""
    import io
    import time

    from marketplace.auth.models import AppUser
    from support import login, post

    vault = world.vault
    world.household(region_code="341622100", tier="dibao", household_no=MENGCHENG_NO, name="王桂兰",
                    id_number=MENGCHENG_ID)
    with world.tx() as s:
        s.get(AppUser, world.poster).duties = "registry_import"
    before = _household(engine, MENGCHENG_NO)
    takeover = base_row(户编号=MENGCHENG_NO, 户主姓名="张冒名", 身份证号=synthetic.make_id(seq="111"), 救助类别="特困",
                        行政区划代码="341621100")
    body = ",".join(synthetic.HEADERS) + "\n" + ",".join(takeover[h] for h in synthetic.HEADERS) + "\n"
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(body.encode()), "名单.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    response.close()  # the import thread starts once the response is closed
    deadline = time.monotonic() + 20
    while "every 1s" in (fragment := client.get(job_url, headers={"HX-Request": "true"}).get_data(as_text=True)):
        assert time.monotonic() < deadline, "import did not finish in 20 s"
        time.sleep(0.2)
    assert "imported=0 updated=0 unchanged=0 rejected=1" in fragment
    report = client.get(job_url + "/errors.csv")
    assert "该户属于其他行政区划" in report.get_data().decode("utf-8-sig")
    report.close()
    after = _household(engine, MENGCHENG_NO)
    assert (after.region_code, after.tier, after.id_hmac) == ("341622100", "dibao", before.id_hmac)
    assert vault.decrypt(after.head_name_enc) == "王桂兰" and vault.decrypt(after.id_number_enc) == MENGCHENG_ID
    assert count(engine, HouseholdHistory) == 0
