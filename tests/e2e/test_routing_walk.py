"""分类推送 through a real browser: the city sets 助学 → the county education bureau, a poster posts a tuition
need (its source chosen), a charity finds it with the bureau, the bureau sends it back with a reason, and
the charity claims it."""

import re
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from steps import log_in

sys.path.insert(0, str(Path(__file__).parent.parent / "routing"))
from routing_support import department  # noqa: E402

TITLE = "高一新生学费与住宿费"


@pytest.mark.e2e
def test_a_tuition_need_goes_to_the_education_bureau_first_and_to_charities_after_its_decline(new_user, console_errors,
                                                                                               world):
    department(world, email="jyj@guoyang.gov.cn")
    household = world.household()

    city = new_user()
    log_in(city, "city@bozhou.gov.cn")
    city.goto("/staff/routing/rules/new")
    city.get_by_label("需求类别").select_option(label="助学")
    city.get_by_label("适用地区").select_option(label="涡阳县")
    city.get_by_label("先行办理的政府部门").select_option(label="涡阳县教育局")
    city.get_by_label("办理期限").fill("5")
    city.get_by_role("button", name="保存").click()
    expect(city.get_by_text("推送规则已添加。")).to_be_visible()
    expect(city.get_by_role("row").filter(has_text="涡阳县教育局")).to_contain_text("5 个工作日")

    poster = new_user()
    log_in(poster, "poster@guoyang.gov.cn")
    poster.goto(f"/staff/households/{household.public_code}/needs/new")
    poster.get_by_label("需求类别").select_option(label="助学")
    poster.get_by_label("需求形式").select_option(label="资金")
    poster.get_by_label("标题").fill(TITLE)
    poster.get_by_label("截止日期").fill((date.today() + timedelta(days=40)).isoformat())
    poster.get_by_label("目标金额").fill("2600")
    poster.get_by_role("button", name="发布", exact=True).click()
    expect(poster.get_by_text("请选择需求来源。").first).to_be_visible()  # next to the field and in the summary
    poster.get_by_label("需求来源").select_option(label="入户走访")
    poster.get_by_role("button", name="发布", exact=True).click()
    poster.wait_for_url(re.compile(r"/needs/\d+$"))
    need_path = urlsplit(poster.url).path

    charity = new_user()
    log_in(charity, "member@charity.org.cn")
    charity.goto(need_path)
    expect(charity.get_by_text("该需求正由相关政府部门办理")).to_be_visible()
    expect(charity.get_by_role("button", name="认领此需求")).to_have_count(0)

    bureau = new_user()
    log_in(bureau, "jyj@guoyang.gov.cn")
    bureau.goto("/department/needs")
    bureau.get_by_role("link", name=TITLE).click()
    bureau.get_by_label("退回原因").select_option(label="无对应政策")
    bureau.get_by_label("退回理由").fill("该生已享受国家助学金，学费减免无对应政策，请社会力量帮扶。")
    bureau.get_by_role("button", name="退回需求").click()
    expect(bureau.get_by_text("已退回，该需求现向社会力量公开。")).to_be_visible()
    expect(bureau.locator(".status")).to_have_text("部门已退回")

    charity.reload()
    charity.get_by_role("button", name="认领此需求").click()
    charity.wait_for_url("**/my/claims")
    expect(charity.get_by_text(f"已认领「{TITLE}」")).to_be_visible()
    # The refused form answers 422, which the browser reports as a failed load; nothing else may fail.
    assert [e for e in console_errors if "status of 422" not in e] == []
