"""Hand-made public figures payloads that follow the contract (transparency/figures.py) exactly, stored as
the worker stores them, for the page, CSV and API tests. A null is a cell the worker did not publish: the
payload never holds the number behind it, so these tests check that every null shows as withheld and that
every published number shows as stored."""

from datetime import UTC, datetime

from marketplace.transparency.models import PublicFigures

MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
          "2026-09", "2026-10", "2026-11"]
COMPUTED = datetime(2026, 11, 29, 6, 5, tzinfo=UTC)  # 14:05 in China
PLACES = [{"key": "341621", "name": "涡阳县"}, {"key": "341622", "name": "蒙城县"}]


def _monthly(values_by_col: list[list]) -> list[list]:
    return [list(row) for row in zip(*values_by_col, strict=True)]


def tables(places=None) -> list[dict]:
    places = places or PLACES
    n = len(places)
    posted = [40, 38, 35, 52, 47, 44, 39, 41, 50, 55, 48, 30]
    claimed = [33, 30, None, 45, 40, 37, 31, 36, 44, 47, 42, None]
    fulfilled = [25, 28, 22, 30, 34, 31, 27, 29, 33, 38, 35, 12]
    expired = [0, 0, None, 0, 0, 0, 0, 0, 0, 0, 0, None]
    money = {"government": [1_234_567, 980_000, 1_100_200, 1_005_000, 990_000, 1_020_000, 1_000_000, 1_080_000,
                            1_150_000, 1_200_000, 1_210_000, 400_000],
             "charity": [56_000, 61_500, None, 48_000, 52_300, 60_000, 58_000, 57_500, 62_000, 64_000, 66_100, None],
             "volunteer": [0] * 12,
             "purchase": [12_000, 15_000, 13_500, 14_000, 12_500, 13_000, 16_000, 12_000, 11_000, 15_500, 14_500,
                          8_000]}
    money_rows = _monthly(list(money.values()))
    row_totals = [None if None in row else sum(row) for row in money_rows]
    return [
        {"id": "needs_by_area", "row_dim": "place", "rows": places[:n], "col_dim": "category",
         "cols": ["education", "medical", "care"],
         "cells": [[12, None, 9], [7, None, 6]][:n], "row_totals": [None, None][:n], "col_totals": [19, 8, 15],
         "total": 42, "chart": "stacked_bar"},
        {"id": "needs_by_month", "row_dim": "month", "rows": [{"key": m, "name": None} for m in MONTHS],
         "col_dim": "measure", "cols": ["posted", "claimed", "fulfilled", "expired"],
         "cells": _monthly([posted, claimed, fulfilled, expired]), "row_totals": None,
         "col_totals": [519, 458, 364, 3], "chart": "line"},
        {"id": "days_by_month", "row_dim": "month", "rows": [{"key": m, "name": None} for m in MONTHS],
         "col_dim": "measure", "cols": ["days_to_claim", "days_to_verify"],
         "cells": _monthly([[2.5, 3.0, None, 1.5, 2.0, 2.5, 3.5, 2.0, 1.0, 2.0, 2.5, None],
                            [12.0, 14.5, None, 11.0, 10.5, 13.0, 12.5, 11.5, 10.0, 9.5, 11.0, None]]),
         "row_totals": None, "col_totals": [2.0, 11.5], "chart": "line"},
        {"id": "delivered_by_source", "row_dim": "source",
         "rows": [{"key": k, "name": None} for k in ("government", "charity", "volunteer", "purchase")],
         "col_dim": "measure", "cols": ["money_yuan", "goods", "hours", "households", "entries"],
         "cells": [[13_369_767, 0, 0.0, 812, 2_950], [585_400, 320, 0.0, 140, 410], [0, 0, 1_234.5, 96, 388],
                   [157_000, 0, None, None, 120]],
         "row_totals": None, "col_totals": [14_112_167, 320, None, 901, 3_868], "chart": "bar"},
        {"id": "money_by_month", "row_dim": "month", "rows": [{"key": m, "name": None} for m in MONTHS],
         "col_dim": "source", "cols": list(money), "cells": money_rows, "row_totals": row_totals,
         "col_totals": [12_369_767, None, 0, 157_000], "total": None, "chart": "stacked_bar"},
        {"id": "participation", "row_dim": "place", "rows": places[:n], "col_dim": "measure",
         "cols": ["organizations", "volunteers"], "cells": [[3, 41], [1, 2]][:n], "row_totals": None,
         "col_totals": [4, 43], "chart": "bar"},
        {"id": "flagged_reach", "row_dim": "place", "rows": places[:n], "col_dim": "measure",
         "cols": ["flagged", "reached", "share"], "cells": [[120, 75, 62.5], [None, None, None]][:n],
         "row_totals": None, "col_totals": [131, 79, 60.3], "chart": "bar"},
    ]


def payload(scope: str = "", scope_name: str = "亳州市", category: str = "", places=None) -> dict:
    return {"version": 1, "scope": scope, "scope_name": scope_name, "category": category,
            "computed_at": COMPUTED.isoformat(), "seconds": 0.42, "months": MONTHS, "reach_months": 6,
            "tables": tables(places)}


def store(tx, scope: str = "", category: str = "", **kw) -> dict:
    """Stores a payload for (scope, category) as the worker would (one row each) and returns it."""
    made = payload(scope, category=category, **kw)
    with tx() as s:
        s.add(PublicFigures(scope_code=scope, category=category, computed_at=COMPUTED, seconds=0.42, payload=made))
    return made


def nulls(made: dict) -> int:
    """How many withheld cells the page shows for a payload: cells, row totals, column totals, grand total."""
    count = 0
    for table in made["tables"]:
        count += sum(v is None for row in table["cells"] for v in row)
        if table["row_totals"] is not None:
            count += sum(v is None for v in table["row_totals"])
            if table["col_totals"] is not None:
                count += table.get("total") is None
        if table["col_totals"] is not None:
            count += sum(v is None for v in table["col_totals"])
    return count


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Every table of the page by its figure's id: rows of cell texts as a reader sees them (a withheld
    cell's hidden words left out), header row first, totals row last."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.figure, self.row, self.cell, self.hidden = {}, None, None, None, 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "figure":
                self.figure = attrs.get("id")
                self.found[self.figure] = []
            elif tag == "tr" and self.figure:
                self.row = []
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []
            elif tag == "span" and "sr-only" in (attrs.get("class") or "") and self.cell is not None:
                self.hidden += 1

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append("".join(self.cell).strip())
                self.cell = None
            elif tag == "tr" and self.row is not None:
                self.found[self.figure].append(self.row)
                self.row = None
            elif tag == "span" and self.hidden:
                self.hidden -= 1
            elif tag == "figure":
                self.figure = None

        def handle_data(self, data):
            if self.cell is not None and not self.hidden:
                self.cell.append(data)

    reader = Reader()
    reader.feed(html)
    return reader.found
