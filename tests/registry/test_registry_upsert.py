"""The upsert keyed by 户编号: re-importing changes nothing, a change updates the household and writes
its history (plaintext never), new households get pseudonymous codes, townships and villages appear."""

import json
import re

import synthetic
from importing_support import base_row, count, empty_database, read_errors, snapshot
from sqlalchemy import select

from marketplace.regions.models import Region
from marketplace.registry.importing import import_registry
from marketplace.registry.models import Household, HouseholdHistory
from marketplace.registry.service import add_household


def households(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(select(Household).order_by(Household.id)).mappings()]


def test_reimporting_the_same_file_reports_unchanged_and_writes_nothing(engine, vault, write):
    path = write(list(synthetic.rows(120)))
    first = import_registry(engine, vault, path)
    assert first.summary() == "imported=120 updated=0 unchanged=0 rejected=0"
    before = households(engine)
    second = import_registry(engine, vault, path)
    assert second.summary() == "imported=0 updated=0 unchanged=120 rejected=0"
    assert households(engine) == before  # same ciphertext, same timestamps: not even rewritten
    assert count(engine, HouseholdHistory) == 0


def test_a_changed_row_updates_the_household_and_records_what_changed(engine, vault, write, app):
    import_registry(engine, vault, write([base_row(), base_row(户编号="341621000000002",
                                                               身份证号=synthetic.make_id(seq="456"))]))
    code = households(engine)[0]["public_code"]
    changed = base_row(救助类别="低保边缘", 家庭人口="4", 困难情形="重病", 联系电话="0558-7212345",
                       行政区划代码="341621100201")
    result = import_registry(engine, vault, write([changed, base_row(户编号="341621000000002",
                                                                     身份证号=synthetic.make_id(seq="456"))],
                                                  name="march.csv"), actor_id=None)
    assert result.summary() == "imported=0 updated=1 unchanged=1 rejected=0"
    household = households(engine)[0]
    assert household["public_code"] == code
    assert (household["tier"], household["members"], household["hardships"]) == ("marginal", 4, ["重病"])
    assert vault.decrypt(household["phone_enc"]) == "0558-7212345"
    with engine.connect() as conn:
        [history] = conn.execute(select(HouseholdHistory)).all()
    assert history.household_id == household["id"] and history.source == "名单导入 march.csv"
    assert history.changes == {"tier": ["dibao", "marginal"], "members": [3, 4],
                               "hardships": [["重病", "独居"], ["重病"]],
                               "region_code": ["341621100", "341621100201"], "phone": "changed"}
    again = import_registry(engine, vault, write([changed], name="march-again.csv"))
    assert again.summary() == "imported=0 updated=0 unchanged=1 rejected=0"
    assert count(engine, HouseholdHistory) == 1


def test_history_of_identifier_changes_holds_no_plaintext(engine, vault, write):
    import_registry(engine, vault, write([base_row()]))
    new_id = synthetic.make_id(born="19610101", seq="777")
    import_registry(engine, vault, write([base_row(户主姓名="李桂兰", 身份证号=new_id, 详细地址="五组3号",
                                                   联系电话="13800001111")], name="new-head.csv"))
    with engine.connect() as conn:
        [history] = conn.execute(select(HouseholdHistory)).all()
    assert history.changes == {"head_birth_year": [1956, 1961], "id_number": "changed", "head_name": "changed",
                               "phone": "changed", "address": "changed"}
    text = json.dumps(history.changes, ensure_ascii=False)
    for secret in (new_id, "李桂兰", "五组3号", "13800001111", synthetic.make_id(), "王秀英", "13912345678"):
        assert secret not in text
    household = households(engine)[0]
    assert vault.decrypt(household["id_number_enc"]) == new_id and household["id_hmac"] == vault.lookup_key(new_id)


def test_an_absent_optional_column_keeps_stored_values_and_an_empty_cell_clears_them(engine, vault, write):
    import_registry(engine, vault, write([base_row()]))
    without_phone = base_row()
    del without_phone["联系电话"]
    assert import_registry(engine, vault, write([without_phone], name="b.csv")).summary() == \
        "imported=0 updated=0 unchanged=1 rejected=0"
    assert vault.decrypt(households(engine)[0]["phone_enc"]) == "13912345678"
    assert import_registry(engine, vault, write([base_row(联系电话="")], name="c.csv")).updated == 1
    assert households(engine)[0]["phone_enc"] is None


def test_a_household_entered_by_hand_is_matched_by_household_no(engine, vault, write, world):
    world.household(household_no="341621000000001", tier="dibao", members=3, hardships=["重病", "独居"])
    result = import_registry(engine, vault, write([base_row()]), actor_id=world.poster)
    assert result.summary() == "imported=0 updated=1 unchanged=0 rejected=0"
    assert count(engine, Household) == 1
    with engine.connect() as conn:
        [history] = conn.execute(select(HouseholdHistory)).all()
    assert history.actor_id == world.poster
    assert set(history.changes) == {"head_birth_year", "id_number", "head_name", "phone", "address", "enrolled_on"}


def test_new_households_get_distinct_pseudonymous_codes(engine, vault, write):
    import_registry(engine, vault, write(list(synthetic.rows(300))))
    codes = [h["public_code"] for h in households(engine)]
    assert len(set(codes)) == 300
    assert all(re.fullmatch(r"H[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code) for code in codes)


def test_townships_and_villages_are_created_once_under_their_parents(engine, vault, write, world):
    rows = [base_row(户编号=f"34162100000000{n}", 身份证号=synthetic.make_id(seq=f"{n:03d}"), 行政区划代码=code)
            for n, code in enumerate(["341621100201", "341621150", "341621150202", "341621150202"], start=1)]
    assert import_registry(engine, vault, write(rows)).imported == 4
    with engine.connect() as conn:
        made = {r.code: (r.name, r.level, r.parent_code) for r in conn.execute(
            select(Region).where(Region.code.in_(["341621100", "341621100201", "341621150", "341621150202"])))}
    assert made == {
        "341621100": ("楚店镇", "township", "341621"),  # already known: kept with its name
        "341621100201": ("村(社区)341621100201", "village", "341621100"),
        "341621150": ("乡镇341621150", "township", "341621"),
        "341621150202": ("村(社区)341621150202", "village", "341621150"),
    }


def test_a_dry_run_counts_as_a_real_run_would_and_writes_nothing(engine, vault, write):
    path = write([*synthetic.rows(30), base_row(家庭人口="零")])
    dry = import_registry(engine, vault, path, dry_run=True)
    assert dry.summary() == "imported=30 updated=0 unchanged=0 rejected=1"
    assert dry.dry_run and read_errors(dry.errors_path)[0]["家庭人口"] == "零"
    assert count(engine, Household) == 0 and count(engine, Region) == 0
    real = import_registry(engine, vault, path)
    assert real.summary() == dry.summary()
    changed = [*synthetic.rows(30)]
    changed[0][4] = "特困" if changed[0][4] != "特困" else "低保"
    again = import_registry(engine, vault, write(changed, name="changed.csv"), dry_run=True)
    assert again.summary() == "imported=0 updated=1 unchanged=29 rejected=0"
    assert count(engine, HouseholdHistory) == 0


def test_progress_is_reported_after_every_batch(engine, vault, write, monkeypatch):
    from marketplace.registry.importing import runner

    monkeypatch.setattr(runner, "BATCH_SIZE", 40)
    calls = []
    import_registry(engine, vault, write(list(synthetic.rows(100))), progress=lambda done, total: calls.append(
        (done, total)))
    assert calls == [(40, 100), (80, 100), (100, 100)]


def test_a_whole_import_is_the_same_as_many_small_batches(engine, vault, write, monkeypatch):
    from marketplace.registry.importing import runner

    rows = list(synthetic.rows(90))
    rows[50][2] = rows[3][2]
    path = write(rows)
    import_registry(engine, vault, path)
    whole = snapshot(engine, vault)
    empty_database(engine)
    monkeypatch.setattr(runner, "BATCH_SIZE", 7)
    import_registry(engine, vault, path)
    assert snapshot(engine, vault) == whole


def test_add_household_still_works_beside_imported_ones(engine, vault, write, tx):
    import_registry(engine, vault, write([base_row()]))
    with tx() as s:
        add_household(s, tier="other", region_code="341621100")
    assert count(engine, Household) == 2
