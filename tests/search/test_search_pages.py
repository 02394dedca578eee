"""The needs page and the public API as searchers use them: the URL carries the whole query, htmx gets
the fragment, plain browsers the page, and the API answers the same de-identified results as JSON."""

from marketplace.api.openapi import openapi_document
from marketplace.vocabulary import CATEGORIES
from support import build_search_index, login, post


def _corpus(world):
    made = {}
    for region, tier in (("341621100", "dibao"), ("341621101", "marginal")):
        for title, category, form, description in (
            ("轻便手动轮椅", "accessibility", "goods", "下肢残疾，出门就医需要一台轮椅。"),
            ("大一新生学费缺口", "education", "money", "考入省内大学，学费尚缺一部分。"),
            ("独居老人每周上门助浴", "care", "service", "八十岁独居老人，需要每周上门助浴。"),
        ):
            made[(region, title)] = world.need("open", household=world.household(region_code=region, tier=tier),
                                               category=category, form=form, title=title, description=description)
    return made


def test_the_page_searches_with_facets_sorting_and_a_shareable_url(app, client, world):
    _corpus(world)
    build_search_index(app)
    page = client.get("/needs?q=轮椅").get_data(as_text=True)
    assert page.count('<li class="card ') == 2 and "大一新生学费缺口" not in page
    assert 'value="轮椅"' in page  # the box shows the query the URL carries
    # Facet links keep the words and add the filter; the selected one removes it again.
    assert 'href="/needs?q=%E8%BD%AE%E6%A4%85&amp;category=accessibility"' in page
    narrowed = client.get("/needs?q=轮椅&tier=dibao").get_data(as_text=True)
    assert narrowed.count('<li class="card ') == 1 and 'aria-current="true"' in narrowed
    assert 'href="/needs?q=%E8%BD%AE%E6%A4%85"' in narrowed  # the way back out of the filter
    assert "<h2>需求类别</h2>" in page and "<h2>乡镇</h2>" not in page  # one household each: no township shown
    sorted_page = client.get("/needs?sort=deadline").get_data(as_text=True)
    assert '<option value="deadline" selected>' in sorted_page


def test_htmx_gets_only_the_results_and_plain_browsers_the_whole_page(app, client, world):
    _corpus(world)
    build_search_index(app)
    fragment = client.get("/needs?q=助浴", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="search"') and "<html" not in body
    assert body.count('<li class="card ') == 2
    assert "HX-Request" in fragment.headers.get("Vary", "")
    full = client.get("/needs?q=助浴").get_data(as_text=True)
    assert "<html" in full and 'hx-push-url="true"' in full and 'hx-preserve="true"' in full


def test_no_result_offers_the_closest_words(app, client, world):
    _corpus(world)
    build_search_index(app)
    page = client.get("/needs?q=轮倚").get_data(as_text=True)
    assert "没有符合条件的需求" in page and "你是不是要找" in page
    assert 'href="/needs?q=%E8%BD%AE%E6%A4%85"' in page


def test_staff_edit_the_synonyms_and_search_follows(app, client, world):
    _corpus(world)
    build_search_index(app)
    assert client.get("/api/v1/needs?q=代步车").get_json()["total"] == 0
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/synonyms").get_data(as_text=True)
    assert "轮椅 助行器" in page
    bad = post(client, "/staff/synonyms", {"groups": "轮椅 代步车\n孤词"}, page="/staff/synonyms")
    assert bad.status_code == 422 and "第2行只有一个词「孤词」" in bad.get_data(as_text=True)
    assert client.get("/api/v1/needs?q=代步车").get_json()["total"] == 0  # nothing of the refused edit saved
    assert post(client, "/staff/synonyms", {"groups": "轮椅 代步车"}, page="/staff/synonyms").status_code == 303
    assert client.get("/api/v1/needs?q=代步车").get_json()["total"] == 2


def test_township_staff_cannot_change_the_shared_synonyms(app, client, world):
    login(client, "chudian@guoyang.gov.cn")
    assert "由县级及以上民政工作人员维护" in client.get("/staff/synonyms").get_data(as_text=True)
    assert post(client, "/staff/synonyms", {"groups": "甲 乙"}, page="/staff/synonyms").status_code == 403


def test_the_api_searches_like_the_page(app, client, world):
    made = _corpus(world)
    build_search_index(app)
    answer = client.get("/api/v1/needs?q=学费&region=341621").get_json()
    assert answer["total"] == 2
    assert {item["id"] for item in answer["items"]} == {
        made[("341621100", "大一新生学费缺口")].id, made[("341621101", "大一新生学费缺口")].id}
    assert {f["value"]: f["count"] for f in answer["facets"]["tier"]} == {"dibao": 1, "marginal": 1}
    assert client.get("/api/v1/needs?form=service&region=341622").get_json()["total"] == 0
    assert client.get("/api/v1/needs?q=轮倚").get_json()["suggestions"] == ["轮椅"]
    refused = client.get("/api/v1/needs?category=cooking")
    assert refused.status_code == 422 and refused.get_json()["field"] == "category"
    assert client.get("/api/v1/needs?sort=newest").get_json()["field"] == "sort"
    assert client.get("/api/v1/needs?region=34").get_json()["field"] == "region"


def test_the_openapi_document_describes_what_the_api_returns(app, client, world):
    _corpus(world)
    build_search_index(app)
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    document = served.get_json()
    assert document == openapi_document("/api/v1")
    search = document["paths"]["/needs"]["get"]
    parameters = {p["name"]: p for p in search["parameters"]}
    assert {"q", "category", "region", "form", "page"} <= set(parameters)
    assert parameters["category"]["schema"]["enum"] == list(CATEGORIES)
    # Every field an answer carries is described, and nothing described is missing from an answer.
    described = document["components"]["schemas"]["PublicNeed"]["properties"]
    item = client.get("/api/v1/needs").get_json()["items"][0]
    assert set(item) == set(described)
    answer_fields = search["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert set(client.get("/api/v1/needs").get_json()) == set(answer_fields)
    one = client.get(f"/api/v1/needs/{item['id']}").get_json()
    assert set(one) == set(described)
