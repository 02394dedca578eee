"""The charity resource list through a real browser: an organisation's administrator publishes an offer,
county staff refer a matching need to it from the offer's match page, and the organisation accepts it."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from steps import log_in

TITLE = "困境学生秋季助学金"


@pytest.mark.e2e
def test_an_offer_is_published_a_need_referred_and_accepted(new_user, console_errors, world):
    need = world.need("open", title="高一新生学费缺口")
    with world.tx() as s:
        world.user(s, world.charity).org_role = "administrator"

    # 1. The organisation publishes its project.
    charity = new_user()
    log_in(charity, "member@charity.org.cn")
    charity.goto("/my/offers/new")
    charity.get_by_label("项目名称").fill(TITLE)
    charity.get_by_label("项目介绍").fill("为困难家庭在读学生提供学费补助。")
    charity.get_by_role("checkbox", name="助学").check()
    charity.get_by_role("checkbox", name="资金").check()
    charity.get_by_role("checkbox", name="整个涡阳县").check()
    charity.get_by_label("总预算").fill("10000")
    charity.get_by_label("每户上限（元）").fill("3000")
    charity.get_by_label("结束日期").fill((date.today() + timedelta(days=90)).isoformat())
    charity.get_by_label("受助对象确定方式").fill("由民政部门定向转介，按困难程度排序。")
    charity.get_by_role("button", name="发布项目").click()
    charity.wait_for_url(re.compile(r"/my/offers$"))
    expect(charity.get_by_role("link", name=TITLE)).to_be_visible()

    # 2. County staff open it, see the need that fits, and refer it.
    staff = new_user()
    log_in(staff, "poster@guoyang.gov.cn")
    staff.goto("/staff/offers")
    staff.get_by_role("link", name=TITLE).click()
    row = staff.get_by_role("row").filter(has_text=need.title)
    expect(row).to_have_count(1)
    row.get_by_role("button", name="定向转介").click()
    expect(staff.get_by_text("已将需求定向转介给")).to_be_visible()

    # 3. The organisation accepts: the need becomes its claim and the budget drops.
    charity.goto("/my/offer-referrals")
    row = charity.get_by_role("row").filter(has_text=need.title)
    expect(row.get_by_text("待答复")).to_be_visible()
    row.get_by_role("button", name="接受").click()
    expect(charity.get_by_text("已接受转介")).to_be_visible()
    expect(charity.get_by_role("row").filter(has_text=need.title).get_by_text("已接受")).to_be_visible()
    charity.goto("/offers")
    expect(charity.get_by_text("7,000 元 / 10,000 元")).to_be_visible()
    assert not console_errors, console_errors
