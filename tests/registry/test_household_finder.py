"""救助对象 finder: staff find their region's households by code prefix, by the head's exact name or ID
number (keyed lookups only), and by township, tier, hardship flags and months without aid; an empty result
says what was searched. Another county's households never appear."""

import re
import sys
from datetime import date, timedelta
from pathlib import Path

import synthetic
from click.testing import CliRunner
from importing_support import base_row
from sqlalchemy import select, update

from marketplace.cli import main
from marketplace.ledger.service import append
from marketplace.modelbase import utcnow
from marketplace.privacy import retention, rotation
from marketplace.privacy.vault import Vault, read_key_file
from marketplace.registry.importing import import_registry
from marketplace.registry.models import AccessLog, Household
from support import World, login, post

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "privacy"))
import keys_support as ks  # noqa: E402

ID_A, ID_B, ID_OTHER = synthetic.make_id(seq="101"), synthetic.make_id(seq="102"), synthetic.make_id("341622", seq="103")


def codes(response) -> list[str]:
    return re.findall(r'/staff/households/(H[0-9A-Z]{8})"', response.get_data(as_text=True))


def arrange(world):
    return {
        "wang1": world.household("341621100", "dibao", name="王秀英", id_number=ID_A, household_no="3416210001",
                                 hardships=["重病", "独居"]),
        "wang2": world.household("341621101", "marginal", name="王秀英", id_number=ID_B, household_no="3416210002"),
        "li": world.household("341621101", "tekun", name="李建国", household_no="3416219001", hardships=["重病"]),
        "other": world.household("341622100", "dibao", name="王秀英", id_number=ID_OTHER, household_no="3416210003",
                                 hardships=["重病", "独居"]),
    }


def find(client, **data):
    return post(client, "/staff/households/find", data, page="/staff/households")


def test_prefixes_of_either_number_find_households_of_the_region_only(client, world):
    h = arrange(world)
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/households?q=341621000")
    assert sorted(codes(page)) == sorted([h["wang1"].public_code, h["wang2"].public_code])
    assert "共 2 户" in page.get_data(as_text=True)  # 3416210003 starts the same but lies in 蒙城县
    assert codes(client.get(f"/staff/households?q={h['li'].public_code[:6].lower()}")) == [h["li"].public_code]
    assert codes(client.get("/staff/households?q=3416219001")) == [h["li"].public_code]
    assert codes(client.get("/staff/households?q=34162%25")) == []  # a % is a character, not a wildcard


def test_the_heads_exact_name_finds_every_household_of_that_name_in_scope_and_logs_each(client, world, tx):
    h = arrange(world)
    login(client, "poster@guoyang.gov.cn")
    page = find(client, name=" 王 秀英")  # spaces do not count
    assert page.status_code == 200
    assert sorted(codes(page)) == sorted([h["wang1"].public_code, h["wang2"].public_code])
    assert "共 2 户" in page.get_data(as_text=True)
    with tx() as s:
        logged = s.execute(select(AccessLog.household_id, AccessLog.action)).all()
    assert sorted(logged) == sorted([(h["wang1"].id, "find_by_name"), (h["wang2"].id, "find_by_name")])
    # 蒙城县's staff see only theirs; a township sees only its own.
    login(client, "staff@mengcheng.gov.cn")
    assert codes(find(client, name="王秀英")) == [h["other"].public_code]
    login(client, "chudian@guoyang.gov.cn")
    assert codes(find(client, name="王秀英")) == [h["wang1"].public_code]
    assert codes(find(client, name="王秀")) == []  # exact names only


def test_an_id_number_finds_its_household_in_scope_and_is_never_repeated_in_full(client, world):
    h = arrange(world)
    login(client, "poster@guoyang.gov.cn")
    assert codes(find(client, id_number=ID_B.lower())) == [h["wang2"].public_code]
    # Typed into the code box, it is looked up all the same.
    assert codes(client.get(f"/staff/households?q={ID_A}")) == [h["wang1"].public_code]
    for response in (find(client, id_number=ID_OTHER), client.get(f"/staff/households?q={ID_OTHER}")):
        text = response.get_data(as_text=True)
        assert codes(response) == [] and ID_OTHER not in text
        assert f"在涡阳县范围内按身份证号查找「{ID_OTHER[:4]}**********{ID_OTHER[-4:]}」：0 户。" in text
    wrong = find(client, id_number=ID_A[:17] + ("0" if ID_A[17] != "0" else "1"))
    assert wrong.status_code == 422 and "身份证号校验位错误" in wrong.get_data(as_text=True)
    assert find(client).status_code == 422


def test_township_tier_flags_and_months_without_aid_narrow_the_list(client, world, tx):
    h = arrange(world)
    with tx() as s:
        append(s, s.get(Household, h["wang1"].id), source="government", category="other", title="临时救助金",
               amount_fen=50000, occurred_on=date.today() - timedelta(days=20))
        append(s, s.get(Household, h["li"].id), source="government", category="other", title="低保金",
               amount_fen=50000, occurred_on=date.today() - timedelta(days=400))
    login(client, "poster@guoyang.gov.cn")
    assert sorted(codes(client.get("/staff/households?region=341621101"))) == sorted(
        [h["wang2"].public_code, h["li"].public_code])
    assert codes(client.get("/staff/households?tier=tekun")) == [h["li"].public_code]
    assert sorted(codes(client.get("/staff/households?flag=重病"))) == sorted(
        [h["wang1"].public_code, h["li"].public_code])
    assert codes(client.get("/staff/households?flag=重病&flag=独居")) == [h["wang1"].public_code]
    assert sorted(codes(client.get("/staff/households?months=6"))) == sorted(
        [h["wang2"].public_code, h["li"].public_code])
    assert codes(client.get("/staff/households?months=6&flag=重病")) == [h["li"].public_code]
    assert client.get("/staff/households?region=341622100").status_code == 403
    assert client.get("/staff/households?months=0").status_code == 422
    assert client.get("/staff/households?flag=富裕").status_code == 422


def test_nothing_found_explains_what_was_searched(client, world):
    arrange(world)
    login(client, "poster@guoyang.gov.cn")
    text = find(client, name="张三").get_data(as_text=True)
    assert "在涡阳县范围内按姓名精确查找「张三」：0 户。姓名须与名单一致" in text and "户编号前缀" in text
    text = client.get("/staff/households?q=H999&tier=tekun&months=3").get_data(as_text=True)
    assert "共 0 户" in text
    assert "在涡阳县范围内查找对象编号或户编号以「H999」开头、救助类别为特困人员、近3个月没有救助的户：0 户。" in text


def test_the_name_lookup_is_filled_by_the_import_and_for_older_rows_by_the_command(
        app, engine, world, tx, tmp_path, database_url, monkeypatch):
    vault = app.extensions["marketplace.vault"]
    path = tmp_path / "registry.csv"
    synthetic.write_csv(path, synthetic.HEADERS, [list(base_row(户主姓名="赵 桂兰").values())])
    assert import_registry(engine, vault, path).imported == 1
    with tx() as s:
        household = s.scalars(select(Household)).one()
        assert household.name_hmac == vault.name_key("赵桂兰")
        s.execute(update(Household).values(name_hmac=None))  # as stored before migration 0017
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["registry", "fill-name-lookups"], catch_exceptions=False)
    assert result.exit_code == 0 and "name lookups filled: 1 households" in result.output
    with tx() as s:
        assert s.scalars(select(Household.name_hmac)).one() == vault.name_key("赵桂兰")
    # A changed name in the next import moves the lookup with it.
    synthetic.write_csv(path, synthetic.HEADERS, [list(base_row(户主姓名="赵桂芝").values())])
    assert import_registry(engine, vault, path).updated == 1
    with tx() as s:
        assert s.scalars(select(Household.name_hmac)).one() == vault.name_key("赵桂芝")


def test_finding_by_name_survives_a_key_rotation(database_url, engine, tx, monkeypatch, tmp_path):
    instance = ks.isolated_instance(monkeypatch, tmp_path)
    world = World(tx)
    household = world.household(name="孙玉兰", id_number=ID_A)
    rotation.rotate(engine, instance)
    new = Vault(read_key_file(instance / "data_key"))
    with tx() as s:
        assert s.get(Household, household.id).name_hmac == new.name_key("孙玉兰")
    app = ks.app_for(database_url, instance, tmp_path)  # restarted: it loads the new key
    try:
        client = app.test_client()
        login(client, "poster@guoyang.gov.cn")
        assert codes(find(client, name="孙玉兰")) == [household.public_code]
    finally:
        app.extensions["marketplace.engine"].dispose()


def test_the_purge_clears_the_name_lookup(client, engine, world, tx):
    household = world.household(name="周桂香", id_number=ID_A)
    with tx() as s:
        row = s.get(Household, household.id)
        row.status = "exited"
        s.flush()
        row.left_at = utcnow() - timedelta(days=4 * 365)
    retention.purge(engine, retention.Periods(identity=3 * 365, evidence=3 * 365, disclosures=365, access_log=365))
    with tx() as s:
        assert s.get(Household, household.id).name_hmac is None
    login(client, "poster@guoyang.gov.cn")
    assert codes(find(client, name="周桂香")) == []
