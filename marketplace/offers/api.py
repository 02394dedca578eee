"""The resource list in the public API (/api/v1/offers): the public projection field by field from an
allowlist, and its OpenAPI entries (api/openapi.py merges them)."""

from dataclasses import asdict

from flask import url_for

from ..i18n import _
from ..vocabulary import AGE_BANDS, CATEGORIES, FORMS, OFFER_STATUSES, TIERS
from .service import PublicOffer

FIELDS = ("id", "organization_id", "organization", "title", "description", "categories", "forms", "tiers",
          "age_bands", "places", "budget_fen", "remaining_fen", "quantity", "remaining_quantity", "unit", "cap_fen",
          "cap_quantity", "starts_on", "ends_on", "selection", "status")


def item(offer: PublicOffer) -> dict:
    values = asdict(offer)
    out = {name: values[name] for name in FIELDS}
    out["starts_on"], out["ends_on"] = offer.starts_on.isoformat(), offer.ends_on.isoformat()
    out["url"] = url_for("offers.detail", offer_id=offer.id)
    return out


def schema(enum) -> dict:
    """`enum`: openapi._enum, so the codes are described as the needs' are."""
    nullable_int = {"type": ["integer", "null"]}
    codes = lambda table, name: {"type": "array", "items": enum(table, name)}  # noqa: E731
    return {
        "type": "object",
        "description": _("慈善组织公布的帮扶项目（慈善帮扶资源清单）。只含项目本身，不含任何受助户。"),
        "required": ["id", "organization", "title", "categories", "forms", "places", "starts_on", "ends_on",
                     "status", "url"],
        "properties": {
            "id": {"type": "integer"}, "organization_id": {"type": "integer"}, "organization": {"type": "string"},
            "title": {"type": "string"}, "description": {"type": "string"},
            "categories": codes(CATEGORIES, _("帮扶类别")), "forms": codes(FORMS, _("帮扶形式")),
            "tiers": {**codes(TIERS, _("对象类别")), "description": _("空表示不限")},
            "age_bands": {**codes(AGE_BANDS, _("年龄段")), "description": _("空表示不限")},
            "places": {"type": "array", "items": {"type": "string"}, "description": _("服务地区（县区或乡镇）")},
            "budget_fen": {**nullable_int, "description": _("总预算（分）")},
            "remaining_fen": {**nullable_int, "description": _("剩余预算（分）")},
            "quantity": nullable_int, "remaining_quantity": nullable_int, "unit": {"type": ["string", "null"]},
            "cap_fen": {**nullable_int, "description": _("每户上限（分）")}, "cap_quantity": nullable_int,
            "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
            "selection": {"type": "string", "description": _("受助对象确定方式")},
            "status": enum(OFFER_STATUSES, _("状态")),
            "url": {"type": "string", "description": _("项目详情页（站内路径）")},
        },
        "additionalProperties": False,
    }


def paths(enum, param, error: dict) -> dict:
    return {
        "/offers": {"get": {
            "summary": _("慈善帮扶资源清单"),
            "description": _("进行中的慈善项目，按结束日期排序。无效取值返回 422 并指明字段。"),
            "parameters": [
                param("category", enum(CATEGORIES, _("帮扶类别")), _("帮扶类别")),
                param("place", {"type": "string", "pattern": "^[0-9]{6}([0-9]{3})?$"},
                      _("县区（6位）或乡镇（9位）代码：服务该地的项目")),
                param("page", {"type": "integer", "minimum": 1, "maximum": 10000}, _("页码，从1开始")),
            ],
            "responses": {
                "200": {"description": _("一页结果"), "content": {"application/json": {"schema": {
                    "type": "object", "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/PublicOffer"}},
                        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}}}}},
                "422": {"description": _("参数无效"), "content": {"application/json": {"schema": error}}},
            },
        }},
        "/offers/{id}": {"get": {
            "summary": _("一个慈善项目"),
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": {"description": _("慈善项目"), "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PublicOffer"}}}},
                "404": {"description": _("不存在或未公开"), "content": {"application/json": {"schema": error}}},
            },
        }},
    }


def offers_page(session, args, per_page: int) -> dict:
    from .. import paging
    from ..errors import Invalid
    from . import service

    category, place = args.get("category", ""), (args.get("place") or "").strip()
    if category and category not in CATEGORIES:
        raise Invalid(_("未知的帮扶类别。"), "category")
    if place and not (place.isdigit() and len(place) in (6, 9)):
        raise Invalid(_("地区须为6位县区代码或9位乡镇代码。"), "place")
    want = paging.requested(args, per_page)
    page = paging.counted(session, service.public_query(category, place), want, scalars=True)
    return {"items": [item(o) for o in service.project(session, page.items)], "page": page.number,
            "per_page": page.size, "total": page.total}
