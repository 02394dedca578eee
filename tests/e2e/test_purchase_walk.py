"""政府购买服务 in a browser: a county's staff member records a project and assigns a service need to it; once
the provider's service is verified, its hours add up on the project page and in the 衔接台账 export under
政府购买服务."""

import csv
import io
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from steps import log_in

from marketplace.purchases.models import PurchaseProject

sys.path.insert(0, str(Path(__file__).parents[1] / "purchases"))

pytestmark = pytest.mark.e2e


def test_a_projects_hours_add_up_on_its_page_and_in_the_export(new_user, world, console_errors):
    from purchase_support import deliver, service_need

    need = service_need(world, title="独居老人每周上门照料")
    page = new_user()
    log_in(page, "poster@guoyang.gov.cn")
    page.goto("/staff/purchases/new")
    page.get_by_label("项目名称").fill("涡阳县居家养老上门服务")
    page.get_by_label("承接机构").select_option(label="涡阳县慈善协会")
    page.get_by_label("项目预算（元）").fill("10000")
    page.get_by_label("开始日期").fill(date.today().isoformat())
    page.get_by_label("结束日期").fill((date.today() + timedelta(days=180)).isoformat())
    page.get_by_label("生活照料").check()
    page.get_by_label("整个涡阳县").check()
    page.get_by_label("目标服务时长（小时）").fill("100")
    page.get_by_role("button", name="登记项目").click()
    expect(page.get_by_role("heading", name="涡阳县居家养老上门服务")).to_be_visible()

    page.get_by_role("button", name="将「独居老人每周上门照料」纳入项目").click()
    expect(page.locator("#project-needs")).to_contain_text("独居老人每周上门照料")
    expect(page.locator("#candidates")).to_have_count(0)

    deliver(world, need, hours=6.0)  # the provider's member serves it; another staff member verifies

    page.reload()
    expect(page.locator("#progress-hours .done")).to_have_text("6.0")
    expect(page.locator("#progress-budget .done")).to_contain_text("600")
    expect(page.locator("#project-needs")).to_contain_text("已核验")

    export = page.request.get("/staff/reports/ledger.csv?region=341621")
    assert export.ok
    header, *rows = list(csv.reader(io.StringIO(export.body().decode("utf-8-sig"))))
    bought = [r for r in rows if r[header.index("资金来源")] == "政府购买服务"]
    assert sum(float(r[header.index("服务时长（小时）")]) for r in bought) == 6.0
    with world.tx() as s:
        assert s.scalars(select(PurchaseProject.hours)).one() == 6.0
    assert console_errors == []
