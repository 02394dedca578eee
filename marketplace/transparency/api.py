"""阳光公示 in the public API (/api/v1/stats): the stored payload as it is (already suppressed: null where
a cell is not published), with labels added in the request's language, and its OpenAPI entries
(api/openapi.py merges them). Built from present.py, so it holds what the page shows and nothing more."""

from datetime import UTC

from sqlmodel import Session

from ..errors import NotFound
from ..i18n import _
from ..vocabulary import CATEGORIES
from .labels import TABLES, THRESHOLD
from .present import Figures, Table, checked_args, figures, read


def _table(table: Table, raw: dict) -> dict:
    return {
        "id": table.id, "title": table.title, "chart": table.chart, "note": table.note or None,
        "row_dim": table.row_dim, "col_dim": table.col_dim,
        "rows": [{"key": row.key, "name": row.label if row.place else None, "label": row.label} for row in table.rows],
        "cols": [{"key": col.key, "label": col.label} for col in table.columns],
        "cells": [[cell.value for cell in row.cells] for row in table.rows],
        "row_totals": [row.total.value for row in table.rows] if table.has_row_totals else None,
        "col_totals": [cell.value for cell in table.totals.cells] if table.totals is not None else None,
        "total": raw.get("total"),
    }


def document(found: Figures, payload: dict) -> dict:
    raw = {t.get("id"): t for t in payload.get("tables") or []}
    return {
        "version": payload.get("version", 1), "scope": found.scope, "scope_name": found.scope_name,
        "category": found.category, "category_label": found.category_label,
        "computed_at": found.computed_at.astimezone(UTC).isoformat(timespec="seconds"), "months": found.months,
        "reach_months": found.reach_months, "threshold": THRESHOLD,
        "tables": [_table(table, raw[table.id]) for table in found.tables],
    }


def stats(session: Session, args) -> dict:
    region, category, _known = checked_args(session, args)
    row = read(session, region, category)
    if row is None or not row.payload:
        raise NotFound(_("统计数据尚未生成。"))
    return document(figures(row), row.payload)


# --- OpenAPI -------------------------------------------------------------------------------------

def _nullable_numbers() -> dict:
    return {"type": ["array", "null"], "items": {"type": ["number", "null"]}}


def schema() -> dict:
    number_or_null = {"type": ["number", "null"]}
    label = {"type": "object", "required": ["key", "label"], "additionalProperties": False,
             "properties": {"key": {"type": "string"}, "label": {"type": "string"}}}
    row = {"type": "object", "required": ["key", "name", "label"], "additionalProperties": False, "properties": {
        "key": {"type": "string", "description": _("地区代码、月份（YYYY-MM）或来源代码")},
        "name": {"type": ["string", "null"], "description": _("地名（仅地区行）")},
        "label": {"type": "string"}}}
    table = {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "chart", "row_dim", "col_dim", "rows", "cols", "cells", "row_totals",
                     "col_totals", "total"],
        "properties": {
            "id": {"type": "string", "enum": list(TABLES)}, "title": {"type": "string"},
            "chart": {"type": "string", "enum": ["bar", "stacked_bar", "line"]},
            "note": {"type": ["string", "null"]},
            "row_dim": {"type": "string", "enum": ["place", "month", "source"]},
            "col_dim": {"type": "string", "enum": ["category", "measure", "source"]},
            "rows": {"type": "array", "items": row}, "cols": {"type": "array", "items": label},
            "cells": {"type": "array", "items": {"type": "array", "items": number_or_null},
                      "description": _("按行、按列的数值；null 表示不公布")},
            "row_totals": _nullable_numbers(), "col_totals": _nullable_numbers(), "total": number_or_null,
        },
    }
    return {
        "type": "object", "additionalProperties": False,
        "description": _("阳光公示的统计表，只含汇总数字。对应困难家庭少于%(num)s户的格，以及可由合计推算出这些格的格，"
                         "均为 null（不公布）。", num=THRESHOLD),
        "required": ["version", "scope", "scope_name", "category", "category_label", "computed_at", "months",
                     "reach_months", "threshold", "tables"],
        "properties": {
            "version": {"type": "integer"},
            "scope": {"type": "string", "description": _("地区代码；空字符串表示全平台")},
            "scope_name": {"type": "string"},
            "category": {"type": "string", "description": _("需求类别代码；空字符串表示全部类别")},
            "category_label": {"type": "string"},
            "computed_at": {"type": "string", "format": "date-time", "description": _("统计时间")},
            "months": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}},
            "reach_months": {"type": "integer"}, "threshold": {"type": "integer"},
            "tables": {"type": "array", "items": table},
        },
    }


def paths(enum, param, error: dict) -> dict:
    return {"/stats": {"get": {
        "summary": _("阳光公示统计数据"),
        "description": _("按地区、类别、月份汇总的需求、帮扶和参与情况，由系统定期计算（见 computed_at）。"
                         "未知的类别返回 422，没有数据的地区返回 404。"),
        "parameters": [
            param("region", {"type": "string", "pattern": "^[0-9]{6}$"},
                  _("市或县区代码（6位）；不填为全平台")),
            param("category", enum(CATEGORIES, _("需求类别")), _("需求类别；不填为全部类别")),
        ],
        "responses": {
            "200": {"description": _("统计表"), "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/PublicStats"}}}},
            "404": {"description": _("尚未生成或该地区没有数据"),
                    "content": {"application/json": {"schema": error}}},
            "422": {"description": _("参数无效"), "content": {"application/json": {"schema": error}}},
        },
    }}}
