"""资金来源 on every new chain entry, derived for the entries written before it, and broken down in the 衔接台账
export, the cliff chart and who-does-what-where."""

import csv
import sys
from datetime import date, timedelta
from pathlib import Path

from purchase_support import assign, deliver, other_org_member, project, service_need
from sqlalchemy import select

from marketplace.ledger import service as ledger
from marketplace.ledger.export import ExportFilters, export_ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.pledges import review
from marketplace.pledges import service as pledges
from marketplace.purchases.models import PurchaseProject
from marketplace.registry.models import Household
from marketplace.reports.cliff import aid_by_tier
from marketplace.reports.coverage import who_does_what_where
from marketplace.reports.filters import ReportFilters
from support import login

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))  # the registry tests' file writers


def _entry(world, need) -> LedgerEntry:
    with world.tx() as s:
        return s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()


def test_charity_volunteer_and_corporate_aid_carry_their_funding(world):
    assert _entry(world, world.need("verified")).funding == "charity"
    assert _entry(world, world.need("verified", form="service", category="care")).funding == "volunteer"
    company = other_org_member(world, kind="company", email="csr@company.cn", name="亳州某药业有限公司")
    need = world.need("open")
    with world.tx() as s:
        row = pledges.pledge(s, world.user(s, company), s.get(Need, need.id), 300000)
        world.attach_evidence(s, world.user(s, company), s.get(Need, need.id), pledge=row)
        world.confirm_delivery(s, world.user(s, company), pledge=row)
        review.submit(s, world.user(s, company), row, review.PledgeEvidence(date.today(), "已转入学校账户"))
        review.verify(s, world.user(s, world.verifier), row)
    assert _entry(world, need).funding == "corporate"
    with world.tx() as s:
        assert ledger.first_break(s) is None


def test_imported_government_aid_is_fiscal(engine, app, tmp_path):
    import synthetic
    from importing_support import base_row

    from marketplace.registry.importing import import_aid, import_registry

    vault = app.extensions["marketplace.vault"]
    registry = tmp_path / "registry.csv"
    synthetic.write_csv(registry, synthetic.HEADERS, [[base_row().get(h, "") for h in synthetic.HEADERS]])
    assert import_registry(engine, vault, registry).imported == 1
    aid = tmp_path / "aid.csv"
    synthetic.write_csv(aid, ["户编号", "身份证号", "救助项目", "金额", "发放日期"],
                        [["341621000000001", "", "低保金", "600", "2024-01-15"]])
    assert import_aid(engine, vault, aid).imported == 1
    with engine.connect() as conn:
        assert conn.execute(select(LedgerEntry.funding)).scalar_one() == "fiscal"


def _purchase_world(world):
    """A project with 6 verified hours, charity aid, and two entries written before funding existed."""
    bought = project(world, target_hours=100.0, budget_fen=10_000_00)
    need = service_need(world)
    assign(world, bought, need)
    deliver(world, need, hours=6.0)
    world.need("verified")
    company = other_org_member(world, kind="company", email="csr@company.cn", name="亳州某药业有限公司")
    household = world.household(tier="dibao")
    with world.tx() as s:
        home = s.get(Household, household.id)
        # As the writers appended them before migration 0018: no funding.
        ledger.append(s, home, source="government", category="other", title="城乡低保金", amount_fen=62800,
                      occurred_on=date.today())
        org_id = world.user(s, company).organization_id
        ledger.append(s, home, source="charity", category="goods", title="冬季棉被", quantity=2, unit="床",
                      occurred_on=date.today(), organization_id=org_id)
    return bought


def test_the_ledger_export_names_each_entrys_funding_and_the_project_hours_add_up(world, tmp_path):
    bought = _purchase_world(world)
    path = tmp_path / "ledger.csv"
    with world.tx() as s:
        export_ledger(s, path, "csv", ExportFilters())
    with open(path, encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[-1] == "资金来源"
    funding = [r[-1] for r in rows]
    assert sorted(funding) == ["企业捐赠", "慈善资金", "政府购买服务", "财政资金"]
    hours = sum(float(r[header.index("服务时长（小时）")]) for r in rows if r[-1] == "政府购买服务")
    with world.tx() as s:
        assert hours == s.get(PurchaseProject, bought.id).hours == 6.0


def test_the_cliff_and_who_does_what_where_break_down_by_funding(world):
    _purchase_world(world)
    filters = ReportFilters(region="341621", date_from=date.today() - timedelta(days=30), date_to=date.today())
    with world.tx() as s:
        tiers = {t.tier: t for t in aid_by_tier(s, filters)}
        coverage = who_does_what_where(s, filters)
    assert tiers["dibao"].funded("fiscal") == (1, 62800, 0.0) and tiers["dibao"].funded("corporate")[0] == 1
    assert tiers["marginal"].funded("purchase") == (1, 0, 6.0) and tiers["marginal"].funded("charity")[0] == 1
    marginal = tiers["marginal"]
    assert marginal.entries == sum(f[1] for f in marginal.by_funding) and marginal.hours == 6.0
    assert {(c.organization, c.funding) for c in coverage} >= {
        ("政府救助", "fiscal"), ("涡阳县慈善协会", "purchase"), ("涡阳县慈善协会", "charity"),
        ("亳州某药业有限公司", "corporate")}
    assert sum(c.hours for c in coverage if c.funding == "purchase") == 6.0


def test_the_report_page_and_downloads_show_funding(client, world):
    _purchase_world(world)
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/reports?region=341621").get_data(as_text=True)
    assert "按资金来源" in page and 'data-funding="purchase"' in page and "6.0 小时" in page
    assert "政府购买服务" in page.split('id="who-h"')[1]
    lines = _csv(client, "/staff/reports/cliff-funding.csv?region=341621")
    assert lines[0][:2] == ["救助类别", "资金来源"]
    assert any(line[1] == "政府购买服务" and line[-1] == "6.0" for line in lines[1:])
    who = _csv(client, "/staff/reports/who-what-where.csv?region=341621")
    assert who[0][-1] == "资金来源" and any(line[-1] == "企业捐赠" for line in who[1:])


def _csv(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    raw = response.get_data()
    response.close()  # the download is a temporary file the server closes after sending
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))
