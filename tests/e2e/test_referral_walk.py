"""双向转介 in a browser: a volunteer refers a family, a county's staff member shows the contact on purpose and
records the outcome, and the volunteer reads the outcome on 我的转介 (without the name they gave)."""

import pytest
from playwright.sync_api import expect
from steps import log_in


@pytest.mark.e2e
def test_a_volunteer_refers_a_family_and_reads_the_outcome(new_user, console_errors, world):
    volunteer = new_user()
    log_in(volunteer, "helper@volunteer.cn")
    volunteer.goto("/referrals/new")
    volunteer.get_by_label("家庭所在乡镇（街道）").select_option(label="楚店镇")
    volunteer.get_by_label("高龄").check()
    volunteer.get_by_label("独居").check()
    volunteer.get_by_label("情况说明").fill("老人独自居住，腿脚不便，冬天取暖困难，目前没有领取任何救助。")
    volunteer.get_by_label("本人（或监护人）已同意").check()
    volunteer.get_by_label("如何征得同意").fill("本人口头同意，网格员在场")
    volunteer.get_by_label("姓名（可不填").fill("李桂兰")
    volunteer.get_by_label("联系电话（可不填").fill("13912345678")
    volunteer.get_by_role("button", name="提交转介").click()
    expect(volunteer.get_by_text("转介已提交")).to_be_visible()
    expect(volunteer.get_by_text("李桂兰")).to_have_count(0)

    staff = new_user()
    log_in(staff, "poster@guoyang.gov.cn")
    staff.goto("/staff/referrals")
    staff.locator("table a[href^='/staff/referrals/']").first.click()
    staff.get_by_role("button", name="查看联系方式").click()
    expect(staff.get_by_text("李桂兰")).to_be_visible()
    expect(staff.get_by_text("13912345678")).to_be_visible()
    staff.get_by_label("办理结果", exact=True).select_option(label="纳入低保")
    staff.get_by_role("button", name="办结").click()
    expect(staff.get_by_text("已记录办理结果")).to_be_visible()

    volunteer.goto("/my/referrals?tab=decided")
    expect(volunteer.get_by_text("纳入低保")).to_be_visible()
    volunteer.locator("table a[href^='/my/referrals/']").first.click()
    expect(volunteer.get_by_text("纳入低保")).to_be_visible()
    expect(volunteer.get_by_text("李桂兰")).to_have_count(0)
    assert not console_errors, console_errors
