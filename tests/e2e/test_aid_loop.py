"""The whole aid loop through a real browser, as four people would do it: a visitor, the staff member who
posts a need, the charity member who claims and fulfils it, and a second staff member who verifies it."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from evidence_samples import jpeg
from playwright.sync_api import expect
from steps import log_in

TITLE = "卫生间加装扶手与防滑地面"
HOUSEHOLD_NO = "341621-2024-000777"


def nav(page, name):
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def assert_no_identifiers(page, household):
    html = page.content()
    for secret in (household.public_code, household.household_no):
        assert secret not in html, f"{page.url} shows {secret}"


@pytest.mark.e2e
def test_a_need_goes_from_posting_to_the_households_chain(new_user, console_errors, world, tmp_path):
    household = world.household(household_no=HOUSEHOLD_NO, members=3, hardships=["重残"])
    world.household(household_no="341621-2024-000778")  # another household the search must leave out
    deadline = (date.today() + timedelta(days=40)).isoformat()

    # 1. A visitor looks at the public list: nothing posted yet, nothing identifying.
    visitor = new_user()
    visitor.goto("/needs")
    expect(visitor.get_by_role("heading", name="帮扶需求", level=1)).to_be_visible()
    expect(visitor.get_by_text("没有符合条件的需求")).to_be_visible()
    assert_no_identifiers(visitor, household)

    # 2. The poster finds the household by its code and posts a retrofit need.
    poster = new_user()
    log_in(poster, "poster@guoyang.gov.cn")
    nav(poster, "救助对象")
    expect(poster.get_by_role("heading", name="救助对象", level=1)).to_be_visible()
    expect(poster.get_by_text("共 2 户")).to_be_visible()
    poster.get_by_label("对象编号或户编号").fill(household.public_code)
    poster.get_by_role("button", name="查询").click()
    expect(poster.get_by_text("共 1 户")).to_be_visible()
    row = poster.get_by_role("row").filter(has_text=household.public_code)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="发布需求").click()
    expect(poster.get_by_role("heading", name=f"为 {household.public_code} 发布帮扶需求")).to_be_visible()
    poster.get_by_label("需求类别").select_option(label="无障碍改造")
    poster.get_by_label("需求形式").select_option(label="改造")
    poster.get_by_label("需求来源").select_option(label="入户走访")
    poster.get_by_label("标题").fill(TITLE)
    poster.get_by_label("需求描述").fill("户内有重度残疾人，如厕需要扶手，地面需做防滑处理。")
    poster.get_by_label("截止日期").fill(deadline)
    poster.get_by_label("目标金额").fill("4500")
    poster.get_by_role("button", name="发布", exact=True).click()
    poster.wait_for_url(re.compile(r"/needs/\d+$"))
    expect(poster.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(poster.get_by_text("需求已发布。")).to_be_visible()
    need_path = urlsplit(poster.url).path

    # 3. A new visitor sees it with the area generalised: two households of the tier are too few for the
    #    township to be named, so only the county shows.
    public = new_user()
    public.goto("/needs")
    card = public.get_by_role("listitem").filter(has=public.get_by_role("link", name=TITLE))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("涡阳县")
    expect(card).not_to_contain_text("楚店镇")
    expect(card).to_contain_text("4,500 元")
    assert_no_identifiers(public, household)
    card.get_by_role("link", name=TITLE).click()
    expect(public.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(public.get_by_role("link", name="登录后认领")).to_be_visible()
    assert_no_identifiers(public, household)

    # 4. The charity member claims it (over htmx), starts, and submits evidence.
    charity = new_user()
    log_in(charity, "member@charity.org.cn")
    nav(charity, "帮扶需求")
    charity.get_by_role("link", name=TITLE).click()
    charity.wait_for_url(f"**{need_path}")
    with charity.expect_response(lambda r: r.url.endswith(f"{need_path}/claim")) as claimed:
        charity.get_by_role("button", name="认领此需求").click()
    assert claimed.value.status == 204, "the claim did not go through htmx"
    assert claimed.value.request.header_value("hx-request") == "true"
    charity.wait_for_url("**/my/claims")
    expect(charity.get_by_text(f"已认领「{TITLE}」")).to_be_visible()
    claim = charity.get_by_role("listitem").filter(has=charity.get_by_role("heading", name=TITLE))
    expect(claim).to_contain_text("已认领")
    claim.get_by_role("link", name=TITLE).click()  # the claim's own page carries its actions
    charity.get_by_role("button", name="开始帮扶").click()
    expect(charity.get_by_text("已开始帮扶")).to_be_visible()

    # 5. The poster prints the household's copy of the delivery slip (送达回执) for the village: its code is
    #    what the household gives the charity when the work is done.
    poster.goto(need_path)
    poster.get_by_role("link", name="送达确认与回访").click()
    poster.get_by_role("link", name="打印受助方联（含确认码）").click()
    code = poster.locator(".code strong").inner_text().strip()
    assert re.fullmatch(r"[0-9]{6}", code)

    # 6. The charity uploads before and after photos (GPS-tagged, as a phone takes them), and submits the
    #    retrofit's figures with the household's code.
    charity.get_by_role("link", name="提交帮扶凭证").click()
    expect(charity.get_by_role("heading", name="提交帮扶凭证")).to_be_visible()
    files = charity.locator("#evidence-files")
    for role, colour, name in (("before", (120, 90, 60), "before.jpg"), ("after", (200, 200, 210), "after.jpg")):
        photo = tmp_path / name
        photo.write_bytes(jpeg(1200, 900, colour=colour))
        files.get_by_label("文件类型").select_option(role)
        files.get_by_label("选择照片或 PDF 收据（可多选）").set_input_files(str(photo))
        files.get_by_role("button", name="上传").click()
        expect(charity.get_by_text("已上传 1 个文件。")).to_be_visible()
    expect(charity.locator("#evidence-files img")).to_have_count(2)
    charity.get_by_label("完工日期").fill(date.today().isoformat())
    charity.get_by_label("改造实际花费（元）").fill("4,380.50")
    charity.get_by_label("验收方").select_option(label="村（居）委会")
    charity.get_by_label("帮扶情况说明").fill("扶手与防滑地砖已安装，村委会现场验收。")
    charity.get_by_label("受助方确认码").fill(code)
    charity.get_by_role("button", name="提交凭证").click()
    charity.wait_for_url(re.compile(r".*/my/claims/\d+$"))
    expect(charity.get_by_text("凭证已提交")).to_be_visible()
    expect(charity.locator(".status")).to_have_text("已提交凭证")
    charity.go_back()  # the back button lands on a page that says the evidence is in, not on the form
    expect(charity.get_by_text("凭证已提交，等待核验。")).to_be_visible()
    expect(charity.get_by_label("帮扶情况说明")).to_have_count(0)

    # 7. Another staff member verifies it from the queue.
    verifier = new_user()
    log_in(verifier, "verifier@guoyang.gov.cn")
    nav(verifier, "核验队列")
    item = verifier.get_by_role("listitem").filter(has=verifier.get_by_role("heading", name=TITLE))
    expect(item).to_contain_text("4,380.5 元")
    item.get_by_role("link", name="查看凭证和照片").click()  # the evidence's own page carries the decision
    verifier.get_by_role("button", name="核验通过").click()
    expect(verifier.get_by_text("已核验通过")).to_be_visible()
    expect(verifier.get_by_text("没有待核验的凭证。")).to_be_visible()

    # 8. The household's chain shows the verified aid, confirmed by the household's code.
    verifier.goto(f"/staff/households/{household.public_code}")
    chain = verifier.get_by_role("region", name="救助记录（最新在前）")
    # The timeline also lists the need and its claim; the chain entry is the one naming the helper.
    entry = chain.get_by_role("listitem").filter(has_text=TITLE).filter(has_text="帮扶方：")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("4,380.5 元")
    expect(entry).to_contain_text("帮扶方：涡阳县慈善协会")
    expect(entry).to_contain_text("核验：verifier")
    expect(entry).to_contain_text("慈善帮扶")
    expect(entry).to_contain_text("受助方确认：确认码")
    expect(entry).not_to_contain_text("未经受助方确认")

    assert console_errors == []
