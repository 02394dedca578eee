"""Searching needs in a real browser: results follow the typing (debounced, through htmx), facets narrow
them, the address bar always holds the whole query, and the back button walks back through it."""

import pytest
from playwright.sync_api import expect

from support import build_search_index, run_worker_once

NEEDS = (
    ("轻便手动轮椅", "accessibility", "goods", "下肢残疾，出门就医需要一台轮椅。"),
    ("卫生间加装扶手", "accessibility", "retrofit", "老人如厕需要扶手，地面需要防滑。"),
    ("大一新生学费缺口", "education", "money", "考入省内大学，学费尚缺一部分。"),
    ("独居老人每周上门助浴", "care", "service", "八十岁独居老人，需要每周上门助浴。"),
)


@pytest.mark.e2e
def test_live_search_facets_and_the_back_button(app, new_user, console_errors, world):
    for region, tier in (("341621100", "dibao"), ("341621101", "marginal")):
        for title, category, form, description in NEEDS:
            world.need("open", household=world.household(region_code=region, tier=tier), category=category,
                       form=form, title=title, description=description)
    build_search_index(app)
    page = new_user()
    page.goto("/needs")
    cards = page.locator("#results li.card")
    expect(cards).to_have_count(8)
    box = page.get_by_label("搜索需求")
    box.press_sequentially("轮椅", delay=50)
    expect(cards).to_have_count(2)
    assert page.url.endswith("/needs?q=%E8%BD%AE%E6%A4%85")
    expect(box).to_be_focused()  # the box keeps focus and its text across the swap
    expect(box).to_have_value("轮椅")
    # A synonym: 助行器 finds the wheelchair too.
    box.fill("")
    box.press_sequentially("助行器", delay=50)
    expect(page.locator("#result-count")).to_contain_text("「助行器」")
    expect(cards).to_have_count(2)
    # A facet narrows the results without a page load; the URL carries it.
    page.get_by_role("complementary", name="筛选").get_by_role("link", name="低保对象").click()
    expect(cards).to_have_count(1)
    assert "tier=dibao" in page.url and "q=" in page.url
    # Back: the previous query's results come back.
    page.go_back()
    expect(cards).to_have_count(2)
    assert "tier=" not in page.url
    # The same URL opened fresh (shared, bookmarked) shows the same results.
    other = new_user()
    other.goto(page.url)
    expect(other.locator("#results li.card")).to_have_count(2)
    expect(other.get_by_label("搜索需求")).to_have_value("助行器")
    assert not console_errors, console_errors


@pytest.mark.e2e
def test_the_search_works_without_javascript(app, browser, live_server, world):
    world.need("open", household=world.household(), category="care", form="service",
               title="独居老人每周上门助浴", description="需要每周上门助浴。")
    run_worker_once(app)  # builds the missing index from the database
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/needs")
        page.get_by_label("搜索需求").fill("助浴")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("#results li.card")).to_have_count(1)
        assert "q=%E5%8A%A9%E6%B5%B4" in page.url
        page.get_by_role("link", name="生活照料").first.click()
        assert "category=care" in page.url
        expect(page.locator("#results li.card")).to_have_count(1)
    finally:
        context.close()
