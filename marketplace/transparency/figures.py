"""阳光公示: every payload (one per scope × category filter, the contract of issue 17) computed in one go.

The window's rows are read once (reading.py) and bucketed by place and category; each scope's tables are
built from the buckets (tables.py); then suppression runs once over every figure of every payload
(suppression.protect), with the lines inside each table and the lines between tables that a reader can
add up: all categories are the sum of the ten category filters, a scope the sum of its rows (the city of
its counties, whose own payloads show them), the window the sum of its months, all sources the sum of
the four. A figure has one key wherever it is shown (tables.py), so what is withheld in one payload is
withheld in all, and no published combination isolates a withheld figure.

The root and a prefecture (or county) it descends to show the same places: their tables are built once."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from ..vocabulary import CATEGORIES
from . import reading
from .places import Places
from .reading import SOURCES
from .suppression import Line, median_withheld, protect, table_lines
from .tables import Fig, Raw, build
from .window import REACH_MONTHS, Window

VERSION = 1
ADDITIVE = frozenset({"posted", "claimed", "fulfilled", "expired", "money", "goods", "hours", "entries",
                      "flagged", "reached"})  # not "households": distinct households do not add up
BY_SOURCE = frozenset({"money", "goods", "hours", "entries"})


@dataclass(frozen=True)
class Computed:
    scope: str
    category: str
    payload: dict
    seconds: float


def compute_all(session: Session, now: datetime, *, complements: bool = True) -> list[Computed]:
    """Every payload, root first, each category filter after its scope's "" (all categories).
    complements=False leaves the primary suppression alone (to show what the complements are for)."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    started = time.perf_counter()
    window = Window.of(now)
    buckets = reading.read(session, window)
    places = Places.load(session, buckets.places, buckets.registered)
    shared = time.perf_counter() - started
    built: dict[tuple, tuple[list[Raw], float]] = {}
    jobs = []
    for scope, name in places.scopes():
        place = places.effective(scope or None)
        for category in ("", *CATEGORIES):
            if (place, category) not in built:
                began = time.perf_counter()
                built[(place, category)] = (build(buckets, places, place, category), time.perf_counter() - began)
            jobs.append((scope, name, place, category))
    began = time.perf_counter()
    withheld = withheld_keys([tables for tables, _ in built.values()], places, window, complements=complements)
    shared += time.perf_counter() - began
    results = []
    for scope, name, place, category in jobs:
        tables, seconds = built[(place, category)]
        began = time.perf_counter()
        payload = {"version": VERSION, "scope": scope, "scope_name": name, "category": category,
                   "computed_at": now.isoformat(), "seconds": 0.0, "months": list(window.months),
                   "reach_months": REACH_MONTHS, "tables": [render(raw, withheld) for raw in tables]}
        # Its own tables, plus its share of the reading and the suppression all payloads had in common.
        seconds += time.perf_counter() - began + shared / len(jobs)
        payload["seconds"] = round(seconds, 4)
        results.append(Computed(scope, category, payload, seconds))
    return results


def _figures(raw: Raw):
    for row in raw.cells:
        yield from row
    yield from raw.row_totals or ()
    yield from raw.col_totals or ()
    if raw.total is not None:
        yield raw.total


def _lines_of(raw: Raw):
    """The table's own lines (its rows, columns and totals), by key; a line through a figure that has no
    key (a median, a share, a count of organisations) is not one."""
    def at(position) -> Fig:
        kind = position[0]
        if kind == "cell":
            return raw.cells[position[1]][position[2]]
        if kind == "row":
            return raw.row_totals[position[1]]
        return raw.col_totals[position[1]] if kind == "col" else raw.total

    for members, total in table_lines(len(raw.rows), len(raw.cols), row_totals=raw.row_totals is not None,
                                      col_totals=raw.col_totals is not None, total=raw.total is not None):
        keys = [at(position).key for position in members]
        if at(total).key is not None and None not in keys:
            yield keys, at(total).key


def _cross_lines(households: dict, places: Places, window: Window):
    """The lines between payloads: a figure for "all" (sources, categories, the window, a place with
    rows) is the sum of its parts, wherever all its parts are published."""
    for key in list(households):
        measure, source, place, category, month = key
        if measure not in ADDITIVE:
            continue
        parts = []
        if source == "" and measure in BY_SOURCE:
            parts.append([(measure, s, place, category, month) for s in SOURCES])
        if category == "":
            parts.append([(measure, source, place, k, month) for k in CATEGORIES])
        if month == "":
            parts.append([(measure, source, place, category, m) for m in window.months])
        rows = places.rows_of_key(place)
        if rows:
            parts.append([(measure, source, row.key, category, month) for row in rows])
        for members in parts:
            if all(member in households for member in members):
                yield members, key


def withheld_keys(payloads: list[list[Raw]], places: Places, window: Window, *, complements: bool = True) -> set:
    households: dict[tuple, int] = {}
    lines: list[Line] = []
    for tables in payloads:
        for raw in tables:
            for fig in _figures(raw):
                if fig.key is not None:
                    households.setdefault(fig.key, fig.households)
            lines.extend(_lines_of(raw))
    lines.extend(_cross_lines(households, places, window))
    return protect(households, lines, complements=complements)


def _shown(fig: Fig, withheld: set):
    if fig.key is not None and fig.key in withheld:
        return None
    if fig.median and median_withheld(fig.households):
        return None
    if any(key in withheld for key in fig.depends):
        return None
    return fig.value


def render(raw: Raw, withheld: set) -> dict:
    """One table of the payload, as the contract lays it out: null wherever a figure is withheld."""
    def shown(figs):
        return None if figs is None else [_shown(fig, withheld) for fig in figs]

    return {"id": raw.id, "row_dim": raw.row_dim, "rows": raw.rows, "col_dim": raw.col_dim, "cols": raw.cols,
            "cells": [shown(row) for row in raw.cells], "row_totals": shown(raw.row_totals),
            "col_totals": shown(raw.col_totals), "total": None if raw.total is None else _shown(raw.total, withheld),
            "chart": raw.chart}
