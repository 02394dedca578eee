"""In Chromium: a long text is not cut by the browser and a live counter says how far over the limit it is;
组织所在地 is chosen province → city → county → township, each select filled by htmx from the one above."""

import re

import pytest
from playwright.sync_api import expect
from steps import log_in

from marketplace.regions.national import ensure_national

pytestmark = pytest.mark.e2e


def test_the_description_counter_counts_past_the_limit_without_cutting(world, new_user, console_errors):
    household = world.household()
    page = new_user()
    log_in(page, "poster@guoyang.gov.cn")
    page.goto(f"/staff/households/{household.public_code}/needs/new")
    counter = page.locator('[data-counter-for="description"]')
    expect(counter).to_have_text("已输入 0 / 2000 字")
    description = page.get_by_label("需求描述")
    description.fill("需" * 1999)
    expect(counter).to_have_text("已输入 1999 / 2000 字")
    description.fill("需" * 2345)  # as a paste would: the browser keeps every character
    assert len(description.input_value()) == 2345
    expect(counter).to_have_text("已输入 2345 字，超出 345 字（最多 2000 字）")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    assert not console_errors


def test_the_organisation_place_is_chosen_one_level_at_a_time(world, new_user, console_errors):
    with world.tx() as s:
        ensure_national(s)
    page = new_user()
    page.goto("/organizations/register")
    expect(page.get_by_role("button", name="选择下一级")).to_be_hidden()  # JavaScript does the step
    page.get_by_label("省（自治区、直辖市）").select_option(label="安徽省")
    page.get_by_label("地市").select_option(label="亳州市")
    county = page.get_by_label("县（市、区）")
    expect(county.locator("option")).to_have_count(5)  # 请选择县区 and the four of 亳州
    county.select_option(label="涡阳县")
    expect(page.get_by_label("乡镇（选填）").locator("option", has_text="楚店镇")).to_have_count(1)
    page.get_by_label("省（自治区、直辖市）").select_option(label="北京市")
    expect(page.get_by_label("县（市、区）")).to_have_count(0)
    expect(page.get_by_label("地市").locator("option", has_text="市辖区")).to_have_count(1)
    assert not console_errors
