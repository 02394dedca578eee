"""The pages of 分类推送 as people use them: staff add and disable rules (form errors next to the fields,
422), a department lists, opens and answers its needs, and nobody else gets in; posting and importing
need a source; a government department registers with its department; the reports count by source."""

import csv
from datetime import date, timedelta

from click.testing import CliRunner
from routing_support import department, rule
from sqlalchemy import select
from stdnum.cn import uscc

from marketplace.cli import main
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.routing import service as routing
from marketplace.routing import sources
from marketplace.routing.models import NeedRouting, RoutingRule
from support import login, post


def test_staff_add_edit_and_disable_a_rule_with_errors_next_to_the_fields(client, world):
    org, _ = department(world)
    login(client, "city@bozhou.gov.cn")
    page = "/staff/routing/rules/new"
    form = client.get(page).get_data(as_text=True)
    assert "涡阳县教育局" in form and "涡阳县" in form and "需求类别" in form
    bad = post(client, page, {"category": "", "region_code": "341621", "organization_id": str(org),
                              "working_days": "40"}, page=page)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请选择需求类别。" in body and "办理期限须为1至30个工作日。" in body
    made = post(client, page, {"category": "education", "region_code": "341621", "organization_id": str(org),
                               "working_days": "5"}, page=page)
    assert made.status_code == 303
    listed = client.get("/staff/routing/rules").get_data(as_text=True)
    assert "助学" in listed and "涡阳县教育局" in listed and "5 个工作日" in listed
    with world.tx() as s:
        rule_id = s.scalars(select(RoutingRule.id)).one()
    twin = post(client, page, {"category": "education", "region_code": "341621", "organization_id": str(org),
                               "working_days": "3"}, page=page)
    assert twin.status_code == 409
    edited = post(client, f"/staff/routing/rules/{rule_id}/edit", {"category": "education", "region_code": "341621",
                  "organization_id": str(org), "working_days": "7"}, page=f"/staff/routing/rules/{rule_id}/edit")
    assert edited.status_code == 303
    off = post(client, f"/staff/routing/rules/{rule_id}/active", {"active": "0"}, page="/staff/routing/rules")
    assert off.status_code == 303
    with world.tx() as s:
        saved = s.get(RoutingRule, rule_id)
        assert (saved.working_days, saved.active) == (7, False)


def test_rules_are_not_for_visitors_charities_or_another_county(client, world):
    org, _ = department(world)
    rule_id = rule(world, org)
    assert client.get("/staff/routing/rules").status_code == 302  # to the login page
    login(client, "member@charity.org.cn")
    assert client.get("/staff/routing/rules").status_code == 403
    client.get("/logout")
    other = world.staff("rules@mengcheng.gov.cn", "341622", duties=["rules"])
    assert other
    login(client, "rules@mengcheng.gov.cn")
    assert client.get(f"/staff/routing/rules/{rule_id}/edit").status_code == 404
    assert "涡阳县教育局" not in client.get("/staff/routing/rules").get_data(as_text=True)


def test_the_department_lists_opens_and_answers_handled(client, world):
    org, member = department(world, email="jyj@guoyang.gov.cn")
    rule(world, org)
    need = world.need("open", title="高一新生学费缺口")
    with world.tx() as s:
        routed_id = routing.latest_for_need(s, need.id).id
    login(client, "jyj@guoyang.gov.cn")
    listed = client.get("/department/needs").get_data(as_text=True)
    assert "高一新生学费缺口" in listed and "办理期限至" in listed
    item = f"/department/needs/{routed_id}"
    page = client.get(item).get_data(as_text=True)
    assert "记为已办理" in page and "退回" in page
    empty = post(client, f"{item}/handled", {"item": "", "amount": "", "occurred_on": date.today().isoformat()}, page=item)
    assert empty.status_code == 422 and "请填写办理事项。" in empty.get_data(as_text=True)
    future = (date.today() + timedelta(days=3)).isoformat()
    late = post(client, f"{item}/handled", {"item": "免除学费", "amount": "1500", "occurred_on": future}, page=item)
    assert late.status_code == 422 and "办理日期不能晚于今天" in late.get_data(as_text=True)
    done = post(client, f"{item}/handled", {"item": "免除高中学费", "amount": "1,500",
                                             "occurred_on": date.today().isoformat()}, page=item)
    assert done.status_code == 303
    after = client.get(item).get_data(as_text=True)
    assert "本部门已于" in after and "免除高中学费" in after and "记为已办理" not in after
    with world.tx() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert (entry.source, entry.funding, entry.amount_fen) == ("government", "fiscal", 150000)


def test_the_department_sends_a_need_back_and_charities_see_it(client, world):
    org, _ = department(world, email="jyj2@guoyang.gov.cn")
    rule(world, org)
    need = world.need("open")
    with world.tx() as s:
        routed_id = routing.latest_for_need(s, need.id).id
    login(client, "jyj2@guoyang.gov.cn")
    item = f"/department/needs/{routed_id}"
    missing = post(client, f"{item}/decline", {"answer": "", "reason": ""}, page=item)
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "请选择退回原因。" in body and "请填写退回理由。" in body
    sent = post(client, f"{item}/decline", {"answer": "not_ours", "reason": "学费减免不属于本局职责范围"}, page=item)
    assert sent.status_code == 303
    client.get("/logout")
    login(client, "member@charity.org.cn")
    claimed = post(client, f"/needs/{need.id}/claim", page=f"/needs/{need.id}")
    assert claimed.status_code == 303
    with world.tx() as s:
        assert s.get(Need, need.id).status == "claimed" and s.get(NeedRouting, routed_id).status == "declined"


def test_another_department_and_a_charity_cannot_open_a_routed_need(client, world):
    org, _ = department(world)
    department(world, "涡阳县卫健委", dept="health", email="wjw@guoyang.gov.cn")
    rule(world, org)
    need = world.need("open")
    with world.tx() as s:
        routed_id = routing.latest_for_need(s, need.id).id
    login(client, "wjw@guoyang.gov.cn")
    assert client.get(f"/department/needs/{routed_id}").status_code == 404
    refused = post(client, f"/department/needs/{routed_id}/decline", {"answer": "not_ours", "reason": "不是我们的"},
                   page="/department/needs")
    assert refused.status_code == 404
    client.get("/logout")
    login(client, "member@charity.org.cn")
    assert client.get("/department/needs").status_code == 403


def test_posting_a_need_requires_its_source(client, world):
    household = world.household()
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    assert "需求来源" in client.get(page).get_data(as_text=True)
    data = {"category": "education", "form": "money", "title": "秋季学期学费缺口", "description": "",
            "urgency": "normal", "deadline": (date.today() + timedelta(days=30)).isoformat(),
            "target_amount": "1500", "contact_basis": "none", "action": "publish"}
    refused = post(client, page, data, page=page)
    assert refused.status_code == 422 and "请选择需求来源。" in refused.get_data(as_text=True)
    posted = post(client, page, {**data, "source": "visit"}, page=page)
    assert posted.status_code == 303
    with world.tx() as s:
        assert s.scalars(select(Need.source)).one() == "visit"


HEADERS = ["户编号", "需求类别", "标题", "需求形式", "目标金额", "截止日期", "需求来源"]


def _import(tmp_path, database_url, monkeypatch, rows, headers=HEADERS):
    path = tmp_path / "needs.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([[r.get(h, "") for h in headers] for r in rows])
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    return path, CliRunner().invoke(main, ["import-needs", str(path), "--as", "poster@guoyang.gov.cn"])


def test_importing_needs_requires_a_source_and_imported_needs_are_routed(world, tmp_path, database_url, monkeypatch,
                                                                         engine):
    world.household(household_no="H-001")
    world.household(household_no="H-002")
    org, _ = department(world)
    rule(world, org)
    deadline = (date.today() + timedelta(days=30)).isoformat()
    base = {"户编号": "H-001", "需求类别": "助学", "标题": "秋季学期学费缺口", "需求形式": "资金", "目标金额": "1500",
            "截止日期": deadline}
    path, result = _import(tmp_path, database_url, monkeypatch,
                           [{**base, "需求来源": "入户走访"}, {**base, "户编号": "H-002", "需求来源": ""},
                            {**base, "户编号": "H-002", "标题": "冬季学期学费缺口", "需求来源": "电话"}])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "imported=1 updated=0 unchanged=0 rejected=2"
    with open(path.with_name("needs.errors.csv"), encoding="utf-8-sig") as handle:
        errors = " ".join(r for r in handle.read().splitlines())
    assert "需求来源" in errors and "需求来源「电话」无效" in errors
    with world.tx() as s:
        need = s.scalars(select(Need)).one()
        assert need.source == "visit" and routing.latest_for_need(s, need.id).organization_id == org
    _, without = _import(tmp_path, database_url, monkeypatch, [base], headers=HEADERS[:-1])
    assert without.exit_code != 0 and "需求来源" in without.output


def _code(n: int) -> str:
    first17 = f"1134162100{n:07d}"
    return first17 + uscc.calc_check_digit(first17)


def test_a_government_department_registers_with_its_department(client, world):
    data = {"name": "涡阳县教育局", "kind": "government", "department": "", "uscc": _code(1), "region_code": "341621",
            "contact_name": "李主任", "contact_phone": "0558-7212345", "email": "jyj@guoyang.gov.cn",
            "display_name": "李主任", "password": "long-enough-password", "confirm": "long-enough-password"}
    refused = post(client, "/organizations/register", data, page="/organizations/register")
    assert refused.status_code == 422 and "政府部门须选择所属部门" in refused.get_data(as_text=True)
    made = post(client, "/organizations/register", {**data, "department": "education"}, page="/organizations/register")
    assert made.status_code == 303
    with world.tx() as s:
        org = s.scalars(select(Organization).where(Organization.kind == "government")).one()
        assert (org.department, org.status) == ("education", "pending")  # vetted like any other


def test_the_reports_count_needs_by_source_in_the_readers_scope(world):
    org, _ = department(world)
    rule(world, org)
    world.need("open", source="visit")
    world.need("open", source="visit", category="care", form="service", title="独居老人上门助浴")
    world.need("open", source="hotline", household=world.household("341622100"), poster=world.other_county)
    today = date.today()
    with world.tx() as s:
        rows = {r.source: (r.needs, r.routed) for r in sources.needs_by_source(s, "341621", today, today)}
        city = {r.source: r.needs for r in sources.needs_by_source(s, "341600", today, today)}
    assert rows["visit"] == (2, 1) and rows["hotline"] == (0, 0) and rows["window"] == (0, 0)
    assert city["hotline"] == 1 and city["visit"] == 2


def test_the_sources_include_renders_on_a_page(app, world):
    from flask import render_template_string

    world.need("open", source="data_alert")
    from marketplace.reports.filters import ReportFilters

    filters = ReportFilters(region="341621", date_from=date.today() - timedelta(days=1), date_to=date.today())
    with app.test_request_context("/"):
        html = render_template_string('{% include "routing/_sources.html" %}', filters=filters)
    assert "数据比对预警" in html and 'data-label="需求数"' in html


def test_the_staff_need_page_shows_source_and_routing(client, world):
    org, _ = department(world)
    rule(world, org)
    need = world.need("open", source="hotline")
    login(client, "poster@guoyang.gov.cn")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "救助热线" in page and "涡阳县教育局" in page and "部门办理中" in page


def test_the_need_panel_include_shows_source_and_routing(app, world):
    from flask import render_template_string

    org, _ = department(world)
    rule(world, org)
    need = world.need("open", source="hotline")
    with app.test_request_context("/"):
        html = render_template_string('{% include "routing/_need_panel.html" %}', raw=need)
    assert "救助热线" in html and "涡阳县教育局" in html and "部门办理中" in html
