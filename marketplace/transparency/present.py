"""A stored payload (contract: transparency/figures.py) as people read it: every label in the reader's
language, every number formatted, withheld cells marked. The page, the CSV and /api/v1/stats all start
here, so none of them can show a cell, a row or a total the others do not: they render the payload as it
is stored (already suppressed) and never compute a figure of their own."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ..errors import Invalid, NotFound
from ..i18n import _, is_english, translate
from ..vocabulary import CATEGORIES, label
from . import store
from .labels import DELIVERY_SOURCES, MEASURES, TABLES, THRESHOLD
from .models import PublicFigures

CHINA = ZoneInfo("Asia/Shanghai")
WITHHELD = "＊"  # on the page; "*" in the CSV, null in the JSON
# Measures shown with one decimal; money in whole yuan; everything else a count.
DECIMAL = frozenset({"hours", "days_to_claim", "days_to_verify", "share"})
# Which columns a chart draws, where not all: one unit per chart (yuan beside hours would flatten one).
CHARTED = {"delivered_by_source": ("money_yuan",), "flagged_reach": ("flagged", "reached")}


# --- reading the stored row -------------------------------------------------------------------------

def read(session: Session, scope: str, category: str) -> PublicFigures | None:
    """The stored row for one scope and category filter, or None before the first computation."""
    return store.read(session, scope, category)


def scopes(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every stored scope, the whole platform ("") first."""
    return store.scopes(session)


def checked_args(session: Session, args) -> tuple[str, str, list[tuple[str, str]]]:
    """?region=&category= as asked, checked: an unknown category is a 422 naming the field, a region with no
    stored figures a 404 (whatever it holds, it is compared with stored codes only, never looked up)."""
    category = (args.get("category") or "").strip()
    if category and category not in CATEGORIES:
        raise Invalid(_("未知的帮扶类别。"), "category")
    region = (args.get("region") or "").strip()
    known = scopes(session)
    if region and region not in {code for code, _name in known}:
        raise NotFound(_("该地区暂无公示数据。"))
    return region, category, known


# --- the payload as people read it -----------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    value: int | float | None  # as stored; None: not published
    text: str  # formatted for the page; "" when withheld

    @property
    def withheld(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # "count", "money" or "decimal"
    charted: bool


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    place: bool  # the label is a place name (data, shown as stored, in Chinese on an English page too)
    cells: list[Cell]
    total: Cell | None  # the row total, when the table has them


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    chart: str
    row_dim: str
    col_dim: str
    row_header: str
    columns: list[Column]
    rows: list[Row]
    has_row_totals: bool
    totals: Row | None  # the totals row (col_totals and the grand total), when the table has one
    note: str


@dataclass(frozen=True)
class Figures:
    scope: str
    scope_name: str
    category: str
    category_label: str
    computed_at: datetime  # China time
    months: list[str]
    reach_months: int
    tables: list[Table]


def month_label(key: str) -> str:
    """"2026-03" as people read a month: 2026年3月, or Mar 2026."""
    try:
        year, month = (int(part) for part in key.split("-", 1))
        first = date(year, month, 1)
    except ValueError:
        return key
    return f"{first.strftime('%b')} {year}" if is_english() else f"{year}年{month}月"


def number(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "decimal":
        return f"{float(value):,.1f}"
    return f"{round(value):,}"


def _kind(table_id: str, col_dim: str, key: str) -> str:
    if table_id == "money_by_month" or key == "money_yuan":
        return "money"
    return "decimal" if col_dim == "measure" and key in DECIMAL else "count"


def _col_label(col_dim: str, key: str) -> str:
    if col_dim == "category":
        return label(CATEGORIES, key)
    if col_dim == "source":
        return label(DELIVERY_SOURCES, key)
    return label(MEASURES, key)


def row_label(row_dim: str, key: str, name: str | None) -> str:
    if row_dim == "place":
        return name or key
    if row_dim == "month":
        return month_label(key)
    return label(DELIVERY_SOURCES, key)


def _row_header(row_dim: str) -> str:
    return {"place": _("地区"), "month": _("月份")}.get(row_dim, _("来源"))


def _note(table_id: str, reach_months: int) -> str:
    if table_id == "days_by_month":
        return _("中位天数按当月首次认领或核验的需求计算；末行为全部月份的中位数。")
    if table_id == "delivered_by_source":
        return _("受助户数的合计按不重复户数计算，可能小于各行之和。")
    if table_id == "participation":
        return _("合计按不重复的组织和志愿者计算，可能小于各行之和。组织和志愿者人数不涉及困难家庭，不作隐藏。")
    if table_id == "flagged_reach":
        return _("重点关注户指登记在册的重病、重残、高龄独居等困难家庭；得到帮扶指近%(num)s个月内有帮扶记录。"
                 "不受类别筛选影响。", num=reach_months)
    return ""


def _cells(values, kinds: list[str]) -> list[Cell]:
    return [Cell(v, number(v, k)) for v, k in zip(values, kinds, strict=False)]


def table(raw: dict, reach_months: int = 6) -> Table:
    table_id, row_dim, col_dim = raw["id"], raw.get("row_dim", ""), raw.get("col_dim", "")
    cols = list(raw.get("cols") or [])
    kinds = [_kind(table_id, col_dim, key) for key in cols]
    charted = CHARTED.get(table_id)
    columns = [Column(key, _col_label(col_dim, key), kind, charted is None or key in charted)
               for key, kind in zip(cols, kinds, strict=True)]
    row_totals, col_totals = raw.get("row_totals"), raw.get("col_totals")
    # The row totals are sums of counts or of money: the kind of the table's columns (all alike when present).
    total_kind = kinds[0] if kinds else "count"
    rows = []
    for index, (row, values) in enumerate(zip(raw.get("rows") or [], raw.get("cells") or [], strict=False)):
        total = Cell(row_totals[index], number(row_totals[index], total_kind)) if row_totals is not None else None
        rows.append(Row(row["key"], row_label(row_dim, row["key"], row.get("name")), row_dim == "place",
                        _cells(values, kinds), total))
    totals = None
    if col_totals is not None:
        grand = raw.get("total")
        totals = Row("", _("全部月份") if table_id == "days_by_month" else _("合计"), False, _cells(col_totals, kinds),
                     Cell(grand, number(grand, total_kind)) if row_totals is not None else None)
    return Table(table_id, translate(TABLES.get(table_id, table_id)), raw.get("chart", "bar"), row_dim, col_dim,
                 _row_header(row_dim), columns, rows, row_totals is not None, totals, _note(table_id, reach_months))


def computed_at(payload: dict, stored: datetime | None = None) -> datetime:
    """The time the worker computed the payload, in China time (the `minute` filter prints it)."""
    moment = stored
    with suppress(KeyError, AttributeError, ValueError):  # the row's own time serves when the payload's is bad
        moment = datetime.fromisoformat(payload["computed_at"].replace("Z", "+00:00"))
    moment = moment or datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)


def figures(row: PublicFigures) -> Figures:
    payload = row.payload or {}
    reach = int(payload.get("reach_months") or 6)
    category = payload.get("category", row.category) or ""
    return Figures(
        scope=payload.get("scope", row.scope_code) or "", scope_name=payload.get("scope_name") or "",
        category=category, category_label=label(CATEGORIES, category) if category else _("全部类别"),
        computed_at=computed_at(payload, row.computed_at), months=list(payload.get("months") or []),
        reach_months=reach, tables=[table(t, reach) for t in payload.get("tables") or [] if t.get("id") in TABLES])


def find(figures_: Figures, table_id: str) -> Table:
    for candidate in figures_.tables:
        if candidate.id == table_id:
            return candidate
    raise NotFound(_("没有这张公示表。"))


def withheld_legend() -> str:
    """What a withheld cell (＊ on the page, * in the CSV) means; the mark itself is added where shown."""
    return _("不公布：该格对应的困难家庭少于%(num)s户，或可由合计推算出这样的格。", num=THRESHOLD)
