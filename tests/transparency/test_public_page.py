"""阳光公示 (/transparency) as a visitor reads it: every table of the stored payload with its numbers as
stored and formatted, a withheld cell as ＊ (never a number), the time of computation, a clear message
before anything is computed, clear refusals of unknown filters, English from the catalogue, and an answer
the public page cache keeps."""

import re
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from public_payload import MONTHS, PLACES, nulls, page_tables, store

from marketplace import create_app
from marketplace.i18n import HAN
from marketplace.transparency.labels import TABLES
from support import login

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _page(client, url="/transparency", **kw) -> str:
    response = client.get(url, **kw)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_before_the_first_computation_the_page_says_so(client, world):
    html = _page(client)
    assert "尚未生成公示数据" in html
    assert "<table" not in html and "charts.js" not in html
    assert client.get("/transparency?category=education").status_code == 200


def test_every_table_shows_its_stored_numbers_formatted(client, tx, world):
    made = store(tx)
    html = _page(client)
    tables = page_tables(html)
    assert list(tables) == [t["id"] for t in made["tables"]] == list(TABLES)
    area = tables["needs_by_area"]
    assert area[0] == ["地区", "助学", "医疗康复", "生活照料", "合计"]
    assert area[1] == ["涡阳县", "12", "＊", "9", "＊"]
    assert area[-1] == ["合计", "19", "8", "15", "42"]
    # Months read as months; money with thousands separators; one decimal where the contract says so.
    money = tables["money_by_month"]
    assert money[1][0] == "2025年12月" and money[12][0] == "2026年11月"
    assert money[1][1:] == ["1,234,567", "56,000", "0", "12,000", "1,302,567"]
    assert money[-1] == ["合计", "12,369,767", "＊", "0", "157,000", "＊"]
    delivered = tables["delivered_by_source"]
    assert delivered[0][0] == "来源" and delivered[1][0] == "政府救助"
    assert delivered[3][3] == "1,234.5" and delivered[1][3] == "0.0"
    assert tables["days_by_month"][1][1:] == ["2.5", "12.0"] and tables["days_by_month"][-1][0] == "全部月份"
    assert tables["flagged_reach"][1] == ["涡阳县", "120", "75", "62.5"]
    assert tables["flagged_reach"][2] == ["蒙城县", "＊", "＊", "＊"]
    # One ＊ per null in the payload, and nothing else withheld.
    assert html.count('class="num withheld"') == nulls(made)
    assert "统计时间 2026-11-29 14:05" in html  # 06:05 UTC, shown in China time
    assert "少于5户" in html


def test_a_withheld_cell_carries_no_number_and_says_so_to_a_screen_reader(client, tx, world):
    store(tx)
    html = _page(client)
    withheld = re.findall(r'<td class="num withheld">(.*?)</td>', html, re.S)
    assert withheld and all("data-value" not in cell and not re.search(r"\d", cell) for cell in withheld)
    assert all('<span class="sr-only">不公布</span>' in cell for cell in withheld)
    published = re.findall(r'<td class="num" data-value="([^"]*)">', html)
    assert "None" not in published and "" not in published


def test_each_table_has_a_caption_header_scopes_a_chart_box_and_a_csv_link(client, tx, world):
    store(tx)
    html = _page(client)
    for table_id in TABLES:
        figure = re.search(rf'<figure class="figures" id="{table_id}".*?</figure>', html, re.S).group(0)
        assert "<figcaption>" in figure and "<caption" in figure
        assert '<div class="chart" hidden' in figure  # no empty box until charts.js draws it
        assert 'scope="col"' in figure and 'scope="row"' in figure
        assert f'href="/transparency/{table_id}.csv"' in figure
    # Charts only here, after ECharts, deferred; no inline script or style anywhere on the page.
    scripts = re.findall(r"<script[^>]*>", html)
    assert all("src=" in s and "defer" in s for s in scripts)
    assert [s for s in scripts if "echarts" in s or "charts.js" in s][0].find("echarts") > 0
    assert "style=" not in html and "<style" not in html
    assert "charts.js" not in _page(client, "/needs")


def test_a_scope_and_a_category_show_their_own_payload(client, tx, world):
    store(tx)
    store(tx, "341621", scope_name="涡阳县", places=[{"key": "341621100", "name": "楚店镇"},
                                                  {"key": "341621101", "name": "高炉镇"}])
    store(tx, "341621", "medical", scope_name="涡阳县", places=[{"key": "341621100", "name": "楚店镇"},
                                                             {"key": "341621101", "name": "高炉镇"}])
    whole = _page(client)
    assert '<option value="341621" >涡阳县</option>' in whole
    county = _page(client, "/transparency?region=341621")
    assert '<option value="341621" selected>涡阳县</option>' in county
    assert page_tables(county)["needs_by_area"][1][0] == "楚店镇"
    medical = _page(client, "/transparency?region=341621&category=medical")
    assert '<option value="medical" selected>' in medical and "医疗康复" in medical
    assert 'href="/transparency/needs_by_area.csv?region=341621&amp;category=medical"' in medical
    # A category not computed yet for a stored scope: the same clear message, no error.
    assert "尚未生成公示数据" in _page(client, "/transparency?region=341621&category=care")


@pytest.mark.parametrize("query, status, message", [
    ("category=weapons", 422, "未知的帮扶类别"),
    ("region=999999", 404, "该地区暂无公示数据"),
    ("region=341622", 404, "该地区暂无公示数据"),  # a real county without stored figures
    ("region=%27%20OR%201%3D1", 404, "该地区暂无公示数据"),
    ("region=" + "9" * 300, 404, "该地区暂无公示数据"),
])
def test_unknown_filters_are_refused_clearly(client, tx, world, query, status, message):
    store(tx)
    response = client.get(f"/transparency?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_the_english_page_has_no_chinese_but_place_names(client, tx, world):
    store(tx)
    html = _page(client, headers=EN)
    assert "Public figures" in html and "Figures as of 29 Nov 2026 14:05" in html
    tables = page_tables(html)
    assert tables["money_by_month"][1][0] == "Dec 2025"
    assert tables["needs_by_area"][0][:2] == ["Region", "Education"]
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))
    for place in ("亳州市", *(p["name"] for p in PLACES), "中文"):  # place names are data; 中文 is the switch
        text = text.replace(place, "")
    assert not HAN.search(text), HAN.findall(text)[:20]
    for name in (p["name"] for p in PLACES):  # read as Chinese by a screen reader
        assert f'<th scope="row" lang="zh-CN">{name}</th>' in html


def test_a_signed_in_user_reads_the_same_figures_without_a_shared_cache(client, tx, world):
    store(tx)
    anonymous = client.get("/transparency")
    assert anonymous.headers["Cache-Control"].startswith("public")
    login(client, "member@charity.org.cn")
    signed_in = client.get("/transparency")
    assert signed_in.status_code == 200 and signed_in.headers["Cache-Control"] == "no-store"
    assert page_tables(signed_in.get_data(as_text=True)) == page_tables(anonymous.get_data(as_text=True))


def test_the_public_page_cache_keeps_the_page_and_its_csv(app, tx, world):
    config = {key: app.config[key] for key in ("DATABASE_URL", "INSTANCE_PATH", "SEARCH_INDEX_DIR",
                                                "MAIL_SUPPRESS_SEND", "STAFF_2FA")}
    cached = create_app({"TESTING": True, **config, "PUBLIC_PAGE_CACHE_SECONDS": 1})
    try:
        visitor = cached.test_client()
        assert "尚未生成公示数据" in visitor.get("/transparency").get_data(as_text=True)
        assert visitor.get("/transparency/needs_by_area.csv").status_code == 404
        store(tx)  # the worker's refresh, on another process
        assert "尚未生成公示数据" in visitor.get("/transparency").get_data(as_text=True)  # the kept answer
        time.sleep(1.1)
        assert "各地需求发布情况" in visitor.get("/transparency").get_data(as_text=True)
        first = visitor.get("/transparency/needs_by_area.csv")
        assert first.status_code == 200 and first.headers["Cache-Control"].startswith("public")
    finally:
        cached.extensions["marketplace.engine"].dispose()


def test_every_month_of_the_window_is_a_row(client, tx, world):
    store(tx)
    rows = page_tables(_page(client))["needs_by_month"]
    assert [r[0] for r in rows[1:-1]] == [f"{int(m[:4])}年{int(m[5:])}月" for m in MONTHS]
    assert rows[-1][0] == "合计"


def test_whatever_the_query_holds_the_answer_is_never_a_500(client, tx, world):
    store(tx)
    store(tx, "341621", scope_name="涡阳县")
    value = st.one_of(st.sampled_from(["", "341621", "341621 ", "0", "education", "EDUCATION", "１２", "NaN"]),
                      st.text(st.characters(exclude_categories=("Cs",)), max_size=40))

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(params=st.fixed_dictionaries({}, optional={"region": value, "category": value, "page": value}))
    def run(params):
        for path in ("/transparency", "/transparency/needs_by_area.csv", "/api/v1/stats"):
            response = client.get(f"{path}?{urlencode(params)}")
            assert response.status_code in (200, 400, 404, 414, 422), (path, params, response.status_code)
            response.close()

    run()


def test_a_real_refresh_shows_the_same_figures_on_the_page_in_the_csv_and_the_api(client, tx, world):
    from marketplace.transparency import store as figures_store

    for index in range(6):
        world.need("verified", household=world.household(region_code=("341621100", "341621101")[index % 2]))
    world.need("open")
    with tx() as s:
        assert figures_store.refresh_all(s)
    with tx() as s:
        made = figures_store.read(s, "341621", "").payload
    html = _page(client, "/transparency?region=341621")
    tables = page_tables(html)
    assert list(tables) == [t["id"] for t in made["tables"]] == list(TABLES)
    assert html.count('class="num withheld"') == nulls(made)
    delivered = next(t for t in made["tables"] if t["id"] == "delivered_by_source")
    charity = delivered["cells"][1][0]  # money_yuan delivered by charities, as computed
    assert tables["delivered_by_source"][2][1] == ("＊" if charity is None else f"{charity:,}")
    answer = client.get("/api/v1/stats?region=341621").get_json()
    assert [t["cells"] for t in answer["tables"]] == [t["cells"] for t in made["tables"]]
    for table in made["tables"]:
        body = client.get(f"/transparency/{table['id']}.csv?region=341621").get_data(as_text=True)
        rows = body.strip().splitlines()
        assert sum(cell == "*" for row in rows[1:-1] for cell in row.split(",")) == nulls(
            {"tables": [table]}), table["id"]
    assert _page(client, "/transparency?region=341621", headers=EN).count('class="num withheld"') == nulls(made)
