"""/api/v1/stats: the stored figures as JSON, as the OpenAPI document describes them: the payload's numbers
as stored, null for every withheld cell, labels in the request's language, a 404 before anything is
computed or for a region without figures, a 422 naming the field for an unknown category."""

import re

from public_payload import COMPUTED, store

from marketplace.api.openapi import openapi_document

EN = {"Accept-Language": "en-GB,en;q=0.9"}
TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool,
         "null": type(None)}


def _check(value, schema: dict, document: dict, where: str = "$") -> list[str]:
    """The JSON Schema keywords the document uses, checked strictly (no library the project does not declare)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _check(value, document["components"]["schemas"][name], document, where)
    problems = []
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        ok = any(isinstance(value, TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                 for t in allowed)
        if not ok:
            return [f"{where}: {value!r} is not {allowed}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: {key} missing" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: {key} not described" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                problems += _check(item, properties[key], document, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += _check(item, schema["items"], document, f"{where}[{index}]")
    return problems


def _schema(document: dict, status: str) -> dict:
    return document["paths"]["/stats"]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_the_answer_is_the_stored_payload_as_the_openapi_document_describes_it(client, tx, world):
    made = store(tx)
    response = client.get("/api/v1/stats")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
    answer = response.get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document == openapi_document("/api/v1")
    assert _check(answer, _schema(document, "200"), document) == []
    assert answer["computed_at"] == COMPUTED.isoformat()
    assert answer["months"] == made["months"] and answer["scope"] == "" and answer["scope_name"] == "亳州市"
    assert answer["threshold"] == 5 and answer["category_label"] == "全部类别"
    for shown, stored in zip(answer["tables"], made["tables"], strict=True):
        assert shown["id"] == stored["id"]
        # The numbers exactly as stored: nulls stay null, no figure appears that the payload lacks.
        for key in ("cells", "row_totals", "col_totals"):
            assert shown[key] == stored[key], (stored["id"], key)
        assert shown["total"] == stored.get("total")
        assert [c["key"] for c in shown["cols"]] == stored["cols"]
        assert [r["key"] for r in shown["rows"]] == [r["key"] for r in stored["rows"]]
    area = answer["tables"][0]
    assert area["title"] == "各地需求发布情况（按类别）"
    assert area["cols"][0] == {"key": "education", "label": "助学"}
    assert area["rows"][0] == {"key": "341621", "name": "涡阳县", "label": "涡阳县"}
    assert answer["tables"][1]["rows"][0] == {"key": "2025-12", "name": None, "label": "2025年12月"}


def test_the_parameters_are_described(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/stats"]["get"]["parameters"]}
    assert set(parameters) == {"region", "category"}
    assert "medical" in parameters["category"]["schema"]["enum"]
    assert set(document["paths"]["/stats"]["get"]["responses"]) == {"200", "404", "422"}


def test_labels_follow_the_request_language(client, tx, world):
    store(tx, "341621", scope_name="涡阳县")
    answer = client.get("/api/v1/stats?region=341621", headers=EN).get_json()
    assert answer["category_label"] == "All categories"
    titles = [t["title"] for t in answer["tables"]]
    assert "Needs posted by area and category" in titles
    assert answer["tables"][1]["rows"][0]["label"] == "Dec 2025"
    assert answer["tables"][3]["rows"][0]["label"] == "Government aid"
    assert answer["tables"][3]["cols"][0]["label"] == "Money (yuan)"


def test_errors_are_json_and_described(client, tx, world):
    document = client.get("/api/v1/openapi.json").get_json()
    nothing = client.get("/api/v1/stats")
    assert nothing.status_code == 404 and nothing.get_json()["error"]
    assert _check(nothing.get_json(), _schema(document, "404"), document) == []
    store(tx)
    unknown = client.get("/api/v1/stats?category=weapons")
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "category"
    assert _check(unknown.get_json(), _schema(document, "422"), document) == []
    for region in ("341622", "999999", "abc", "3416210000000000"):
        missing = client.get(f"/api/v1/stats?region={region}")
        assert missing.status_code == 404 and missing.is_json, region
    assert client.get("/api/v1/stats?region=&category=").status_code == 200


def test_a_category_filter_reads_its_own_row(client, tx, world):
    store(tx)
    store(tx, "", "medical")
    assert client.get("/api/v1/stats?category=medical").get_json()["category"] == "medical"
    assert client.get("/api/v1/stats?category=medical").get_json()["category_label"] == "医疗康复"
    assert client.get("/api/v1/stats?category=care").status_code == 404
