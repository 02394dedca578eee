"""The report page: staff only, inside their region, no identifiers, every list downloadable."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook

from marketplace.ledger.service import append
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from support import login


def _blind_spot(world, region="341621100", **kw):
    return world.household(region, hardships=["重病"], name="张桂兰", id_number="341621195803127716",
                           phone="13912345678", address="涡阳县楚店镇张庄村12号", **kw)


def test_report_page_is_for_staff_only(client, world):
    assert client.get("/staff/reports").status_code == 302  # to the login page
    login(client, "member@charity.org.cn")
    assert client.get("/staff/reports").status_code == 403
    assert client.get("/staff/reports/blind-spots.csv").status_code == 403


def test_staff_see_their_region_only(client, world):
    mine = _blind_spot(world)
    theirs = world.household("341622100", hardships=["孤儿"])
    login(client, "poster@guoyang.gov.cn")
    response = client.get("/staff/reports")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and mine.public_code in body and theirs.public_code not in body
    assert "涡阳县 · 楚店镇" in body and '<option value="341621101"' in body and '<option value="341622"' not in body
    for needle in ("张桂兰", "341621195803127716", "13912345678", "张庄村"):
        assert needle not in body
    assert client.get("/staff/reports?region=341622").status_code == 403
    assert client.get("/staff/reports?from=2026-13-01").status_code == 422
    township = client.get("/staff/reports?region=341621101").get_data(as_text=True)
    assert mine.public_code not in township


def test_the_filter_answers_htmx_with_the_report_only(client, world):
    _blind_spot(world)
    login(client, "poster@guoyang.gov.cn")
    response = client.get("/staff/reports?months=3", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="report"') and "<html" not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    assert "3 个月内未获任何救助" in body


def test_the_cliff_chart_is_svg_with_the_numbers_beside_it(client, world):
    household = world.household(tier="dibao")
    with world.tx() as s:
        append(s, s.get(Household, household.id), source="government", category="other", title="低保金",
               amount_fen=60000, occurred_on=date.today() - timedelta(days=5))
    world.household(tier="marginal")
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/reports").get_data(as_text=True)
    assert 'width="100.0"' in body and 'width="0.0"' in body
    assert "户均 <strong>600.00 元</strong>" in body
    assert "style=" not in body.split('id="report"')[1]


def test_every_list_downloads_as_csv_and_xlsx(client, world):
    spot = _blind_spot(world)
    world.need("verified")
    login(client, "poster@guoyang.gov.cn")
    for name in ("blind-spots", "unclaimed", "lapsed-claims", "cliff", "who-what-where", "ledger"):
        response = client.get(f"/staff/reports/{name}.csv?months=6")
        assert response.status_code == 200, name
        raw = response.get_data()
        response.close()  # the download is a temporary file the server closes after sending
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0], name
        xlsx = client.get(f"/staff/reports/{name}.xlsx")
        assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
        xlsx.close()
        assert [c.value for c in sheet[1]] == rows[0]
        if name == "blind-spots":
            assert rows[1][:3] == [spot.public_code, "涡阳县 · 楚店镇", "低保边缘家庭"]
        for needle in ("张桂兰", "13912345678"):
            assert needle not in raw.decode("utf-8-sig")
    assert client.get("/staff/reports/nothing.csv").status_code == 404
    assert client.get("/staff/reports/ledger.pdf").status_code == 404
    assert client.get("/staff/reports/ledger.csv?region=341622").status_code == 403


def test_downloads_never_carry_a_live_formula(client, world):
    need = world.need("open", title="=HYPERLINK(\"http://x\",\"点此查看\")")
    with world.tx() as s:  # published long enough ago to count as unclaimed
        s.get(Need, need.id).published_at = datetime.now(UTC) - timedelta(days=60)
    login(client, "poster@guoyang.gov.cn")
    response = client.get("/staff/reports/unclaimed.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    response.close()
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1]), rows
    assert not any(cell.startswith("=") for row in rows for cell in row)
    xlsx = client.get("/staff/reports/unclaimed.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    xlsx.close()
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert any(str(cell.value).startswith("=HYPERLINK") for cell in cells)
    assert all(cell.data_type != "f" for cell in cells)


def test_a_long_who_does_what_where_table_shows_its_busiest_rows_and_says_the_download_has_all(
        client, world, monkeypatch):
    from marketplace.reports import views

    monkeypatch.setattr(views, "PREVIEW", 2)
    busy, quiet = world.household("341621100"), world.household("341621101")
    with world.tx() as s:
        for household, category, times in ((busy, "medical", 3), (quiet, "goods", 1), (busy, "education", 2)):
            for _ in range(times):
                append(s, s.get(Household, household.id), source="government", category=category, title="临时救助金",
                       amount_fen=10000, occurred_on=date.today() - timedelta(days=5))
    login(client, "poster@guoyang.gov.cn")
    section = client.get("/staff/reports").get_data(as_text=True).split('id="who-h"')[1]
    assert "共 3 行" in section and "显示前 2 行" in section
    rows = section.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 2 and "医疗康复" in rows and "助学" in rows and "生活物资" not in rows
    assert rows.index("医疗康复") < rows.index("助学")  # the busiest first; the single goods row is left out
