"""The OpenAPI 3.1 description of the public API, built from the same vocabularies the endpoints check, so
the document cannot list a category or sort the API would refuse."""

from ..i18n import _, is_english, translate
from ..offers import api as offers_api
from ..search.query import SORTS
from ..search.schema import FACETS
from ..transparency import api as transparency_api
from ..vocabulary import AGE_BANDS, CATEGORIES, FORMS, NEED_STATUSES, TIERS, URGENCIES


def _enum(table: dict, description: str) -> dict:
    values = (", " if is_english() else "，").join(f"{k}={translate(v)}" for k, v in table.items())
    return {"type": "string", "enum": list(table),
            "description": _("%(name)s：%(values)s", name=description, values=values)}


def _param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _need_schema() -> dict:
    nullable_int = {"type": ["integer", "null"]}
    return {
        "type": "object",
        "description": _("去标识化的帮扶需求。不含姓名、证件号、电话、详细地址；地区至多到乡镇，户数不足时只到县区。"),
        "required": ["id", "category", "form", "title", "urgency", "status", "tier", "area", "size_band",
                     "deadline", "url"],
        "properties": {
            "id": {"type": "integer"},
            "category": _enum(CATEGORIES, _("需求类别")),
            "form": _enum(FORMS, _("需求形式")),
            "title": {"type": "string"},
            "description": {"type": "string"},
            "urgency": _enum(URGENCIES, _("紧急程度")),
            "status": _enum(NEED_STATUSES, _("状态")),
            "tier": _enum(TIERS, _("救助类别")),
            "area": {"type": "string", "description": _("县区或乡镇名称（k-匿名）")},
            "age_band": {"type": ["string", "null"], "enum": [*AGE_BANDS, None]},
            "age_band_label": {"type": ["string", "null"]},
            "size_band": {"type": "string", "description": _("家庭规模区间，如 2至3人户")},
            "deadline": {"type": "string", "format": "date"},
            "target_amount_fen": {**nullable_int, "description": _("目标金额（分）")},
            "target_quantity": nullable_int,
            "unit": {"type": ["string", "null"]},
            "url": {"type": "string", "description": _("需求详情页（站内路径）")},
        },
        "additionalProperties": False,
    }


def openapi_document(base_path: str) -> dict:
    code = {"type": "string", "pattern": "^[0-9]+$"}
    facet = {"type": "array", "items": {"type": "object", "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}
    error = {"type": "object", "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": _("善桥 Shanqiao public API"), "version": "1",
                 "description": _("公开的去标识化帮扶需求检索接口。所有字段均来自白名单；不含任何个人身份信息。")},
        "servers": [{"url": base_path or "/"}],
        "paths": {
            "/needs": {"get": {
                "summary": _("检索帮扶需求"),
                "description": _("与需求列表页相同的检索与筛选。q 为关键词（空格分隔，全部匹配，含同义词）。"
                                 "无效取值返回 422 并指明字段。"),
                "parameters": [
                    _param("q", {"type": "string", "maxLength": 100}, _("关键词，如：轮椅、助学 大学")),
                    _param("category", _enum(CATEGORIES, _("需求类别")), _("需求类别")),
                    _param("form", _enum(FORMS, _("需求形式")), _("需求形式")),
                    _param("tier", _enum(TIERS, _("救助类别")), _("救助类别")),
                    _param("urgency", _enum(URGENCIES, _("紧急程度")), _("紧急程度")),
                    _param("region", {**code, "minLength": 6, "maxLength": 12},
                           _("任一级行政区划代码（省、市、县6位，乡镇9位），含其下级")),
                    _param("county", {**code, "minLength": 6, "maxLength": 6}, _("县区代码（分面）")),
                    _param("township", {**code, "minLength": 9, "maxLength": 9}, _("乡镇代码（分面）")),
                    _param("sort", _enum(SORTS, _("排序")), _("排序，默认 relevance")),
                    _param("claimed", {"type": "string", "enum": ["1"]}, _("为 1 时包含已认领的需求")),
                    _param("page", {"type": "integer", "minimum": 1, "maximum": 10000}, _("页码，从1开始")),
                ],
                "responses": {
                    "200": {"description": _("一页结果"), "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/PublicNeed"}},
                            "page": {"type": "integer"}, "per_page": {"type": "integer"},
                            "total": {"type": "integer"}, "pages": {"type": "integer"},
                            "query": {"type": "object", "additionalProperties": {"type": "string"}},
                            "facets": {"type": "object", "properties": {f: facet for f in FACETS}},
                            "suggestions": {"type": "array", "items": {"type": "string"},
                                            "description": _("无结果时的近似关键词")},
                        }}}}},
                    "422": {"description": _("参数无效"), "content": {"application/json": {"schema": error}}},
                },
            }},
            "/needs/{id}": {"get": {
                "summary": _("一条公开的帮扶需求"),
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": _("需求"), "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/PublicNeed"}}}},
                    "404": {"description": _("不存在或未公开"), "content": {"application/json": {"schema": error}}},
                },
            }},
            **offers_api.paths(_enum, _param, error),
            **transparency_api.paths(_enum, _param, error),
        },
        "components": {"schemas": {"PublicNeed": _need_schema(), "PublicOffer": offers_api.schema(_enum),
                                   "PublicStats": transparency_api.schema()}},
    }
