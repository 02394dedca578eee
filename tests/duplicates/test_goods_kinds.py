"""Goods compared by kind (duplicates/goods_kinds.py): needs posted without an 物品 value take one from
their title, government payments take one from the 救助项目 table, and the goods rule compares kinds."""

import csv
from datetime import date, timedelta

import pytest
from duplicate_support import TODAY, days_ago, entry, matches

from marketplace.duplicates.check import DuplicateWarning
from marketplace.duplicates.goods_kinds import kind_of, same_goods
from marketplace.registry.importing import import_aid

HOUSEHOLD_NO = "341621000000001"


@pytest.mark.parametrize(("text", "kind"), [
    ("冬季取暖电暖器", "取暖"), ("取暖用煤", "取暖"), ("蜂窝煤 500 公斤", "取暖"), ("电热毯", "取暖"),
    ("冬季棉被", "被褥"), ("羽绒服两件", "衣物"), ("米面油生活物资包", "米面油"), ("全自动洗衣机", "家电"),
    ("轻便手动轮椅", "轮椅/助行器"), ("书包文具", "学习用品"), ("成人纸尿裤", "护理用品"),
    ("大一新生学费缺口", None), ("", None), (None, None),
])
def test_a_title_names_its_goods_kind(text, kind):
    assert kind_of(text) == kind


def test_same_text_is_exact_one_kind_is_a_warning_other_kinds_are_different():
    assert same_goods("电暖器", "电暖器") == (True, True)
    assert same_goods("电暖器", "取暖用煤") == (True, False)
    assert same_goods("取暖", "取暖") == (True, False)  # two titles read as 取暖: an inference, not a fact
    assert same_goods("电暖器", "棉被") == (False, False)
    assert same_goods(None, "电暖器") == (False, False)


def _goods(world, household, title, **kw):
    return world.need(household=household, category="goods", form="goods", title=title,
                      description="老人独居，冬季室内温度低。", **kw)


def test_two_heater_needs_without_an_item_the_second_warns(world):
    household = world.household()
    first = _goods(world, household, "冬季取暖电暖器")
    assert first.item_key == "取暖"  # derived from the title
    with pytest.raises(DuplicateWarning) as raised:
        _goods(world, household, "给老人买一台电暖器")
    assert "冬季取暖电暖器" in str(raised.value)
    other = world.household()
    assert _goods(world, other, "给老人买一台电暖器").item_key == "取暖"  # another household: no warning
    assert _goods(world, household, "冬季棉被两床").item_key == "被褥"  # another kind: no warning


def test_a_stated_item_is_kept(world):
    assert _goods(world, world.household(), "冬季取暖物资", item_key="电暖器").item_key == "电暖器"


def _import_aid(engine, world, tmp_path, rows):
    path = tmp_path / "aid.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["户编号", "救助项目", "金额", "发放日期"])
        writer.writerows(rows)
    assert import_aid(engine, world.vault, path, actor_id=world.poster).imported == len(rows)


def test_a_government_heating_subsidy_meets_a_coal_need(engine, world, tmp_path):
    household = world.household(household_no=HOUSEHOLD_NO)
    paid = (date.today() - timedelta(days=20)).isoformat()
    _import_aid(engine, world, tmp_path, [[HOUSEHOLD_NO, "冬季取暖补贴", "300", paid]])
    with pytest.raises(DuplicateWarning) as raised:
        _goods(world, household, "取暖用煤")
    [match] = raised.value.matches
    assert match.who == "政府" and "冬季取暖补贴" in match.what and not match.exact
    need = _goods(world, household, "取暖用煤", override_reason="补贴不足以购买整个冬季的用煤")
    assert need.override_reason


def test_an_imported_home_retrofit_subsidy_meets_a_charity_retrofit_a_year_later(engine, world, tmp_path):
    household = world.household(household_no=HOUSEHOLD_NO)
    _import_aid(engine, world, tmp_path, [[HOUSEHOLD_NO, "居家适老化改造补贴", "3000",
                                   (date.today() - timedelta(days=365)).isoformat()]])
    with pytest.raises(DuplicateWarning) as raised:
        world.need(household=household, category="accessibility", form="retrofit", title="卫生间加装扶手和防滑垫")
    assert "居家适老化改造补贴" in str(raised.value)


def test_aid_recorded_without_an_item_is_compared_by_its_title(world):
    household = world.household()
    entry(world, household, category="goods", title="冬季取暖电暖器", occurred_on=days_ago(30),
          organization_id=world.org_id)
    [found] = matches(world, household, category="goods", item_key="取暖煤")
    assert not found.exact and "冬季取暖电暖器" in found.what
    assert matches(world, household, category="goods", item_key="棉被") == []
    assert matches(world, household, category="goods", item_key="取暖煤", today=TODAY + timedelta(days=60)) == []


def test_a_draft_saved_without_an_item_is_compared_by_its_title_when_published(world):
    from marketplace.needs import service as needs
    from marketplace.needs.models import Need

    household = world.household()
    draft = _goods(world, household, "冬季取暖用煤", state="draft")
    with world.tx() as s:
        s.get(Need, draft.id).item_key = None  # as a draft saved before items were derived
    entry(world, household, category="goods", title="电暖器", item_key="电暖器", occurred_on=date.today(),
          organization_id=world.org_id)
    with world.tx() as s, pytest.raises(DuplicateWarning):
        needs.publish(s, world.user(s, world.poster), s.get(Need, draft.id))
