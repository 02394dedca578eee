"""Each default duplicate rule at its boundary dates (rules.py explains the defaults)."""

from datetime import date

import pytest
from duplicate_support import days_ago, entry, matches, other_org

TERM = (date(2026, 9, 1), date(2027, 1, 31))


@pytest.mark.parametrize(("age", "hit"), [(89, True), (90, False)])
def test_goods_the_same_item_once_in_90_days(world, age, hit):
    household = world.household()
    entry(world, household, category="goods", title="冬季取暖电暖器", occurred_on=days_ago(age), item_key="电暖器",
          organization_id=world.org_id)
    found = matches(world, household, category="goods", item_key=" 电暖器")
    assert bool(found) is hit
    if hit:
        assert found[0].exact and "冬季取暖电暖器" in found[0].what and found[0].who == "涡阳县慈善协会"
        assert found[0].when == days_ago(89).isoformat()


def test_goods_a_different_item_or_no_item_is_no_duplicate(world):
    household = world.household()
    entry(world, household, category="goods", occurred_on=days_ago(10), item_key="电暖器")
    assert matches(world, household, category="goods", item_key="棉被") == []
    assert matches(world, household, category="goods") == []


@pytest.mark.parametrize(("age", "hit"), [(1825, True), (1826, False)])
def test_accessibility_once_per_household_in_5_years(world, age, hit):
    household = world.household()
    entry(world, household, category="accessibility", title="卫生间加装扶手", occurred_on=days_ago(age))
    assert bool(matches(world, household, category="accessibility")) is hit


def test_education_overlapping_terms_of_the_same_member(world):
    household = world.household()
    entry(world, household, category="education", title="秋季学期学费", occurred_on=date(2026, 9, 5),
          period_start=TERM[0], period_end=TERM[1], member_ref="子女1")
    one_day = matches(world, household, category="education", period_start=TERM[1], period_end=date(2027, 7, 15),
                      member_ref="子女1")
    assert len(one_day) == 1 and one_day[0].exact and one_day[0].when == "2026-09-01至2027-01-31"
    adjacent = matches(world, household, category="education", period_start=date(2027, 2, 1),
                       period_end=date(2027, 7, 15), member_ref="子女1")
    assert adjacent == []
    assert matches(world, household, category="education", period_start=TERM[0], period_end=TERM[1],
                   member_ref="子女2") == []
    unnamed = matches(world, household, category="education", period_start=TERM[0], period_end=TERM[1])
    assert len(unnamed) == 1 and not unnamed[0].exact  # an unnamed member may be anyone: a warning only


def test_care_periods_of_two_providers_may_not_overlap(world):
    household = world.household()
    second = other_org(world)
    entry(world, household, category="care", title="上门助浴", organization_id=world.org_id,
          occurred_on=date(2026, 10, 1), period_start=date(2026, 10, 1), period_end=date(2026, 12, 31))
    overlap = matches(world, household, category="care", period_start=date(2026, 12, 31),
                      period_end=date(2027, 3, 31), organization_id=second)
    assert len(overlap) == 1 and overlap[0].exact
    assert matches(world, household, category="care", period_start=date(2027, 1, 1), period_end=date(2027, 3, 31),
                   organization_id=second) == []
    # The same provider extending its own service is no duplicate.
    assert matches(world, household, category="care", period_start=date(2026, 12, 1), period_end=date(2027, 3, 31),
                   organization_id=world.org_id) == []
    # At posting the provider is unknown: any overlap warns.
    posting = matches(world, household, category="care", period_start=date(2026, 12, 1), period_end=date(2027, 3, 31))
    assert len(posting) == 1 and not posting[0].exact


@pytest.mark.parametrize(("age", "hit"), [(29, True), (30, False)])
def test_emergency_warns_after_government_temporary_assistance_within_30_days(world, age, hit):
    household = world.household()
    entry(world, household, category="emergency", title="临时救助", source="government", occurred_on=days_ago(age))
    found = matches(world, household, category="emergency")
    assert bool(found) is hit
    if hit:
        assert found[0].who == "政府" and not found[0].exact  # a warning, never a refusal


def test_emergency_ignores_charity_help_and_other_government_aid(world):
    household = world.household()
    entry(world, household, category="emergency", title="急难救助", occurred_on=days_ago(3))
    entry(world, household, category="other", title="低保金", source="government", occurred_on=days_ago(3))
    assert matches(world, household, category="emergency") == []


def test_live_needs_count_as_planned_aid(world):
    household = world.household()
    need = world.need("claimed", household=household, category="goods", form="goods", title="冬季取暖电暖器一台",
                      item_key="电暖器")
    found = matches(world, household, today=need.created_at.date(), category="goods", item_key="电暖器")
    assert len(found) == 1 and found[0].need_id == need.id and "已认领" in found[0].who and not found[0].exact


def test_an_inactive_rule_checks_nothing(world):
    household = world.household()
    entry(world, household, category="medical", title="住院自付费用", occurred_on=days_ago(3))
    assert matches(world, household, category="medical") == []  # medical is off by default
