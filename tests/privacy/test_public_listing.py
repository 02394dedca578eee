"""Public listings and the public JSON: an allowlist of fields, townships named only where at least five
households of the tier live, minors shown as 未成年人."""

from datetime import date

from sqlalchemy import event, select

from marketplace.regions.service import ensure_regions
from marketplace.registry.models import Household
from marketplace.vocabulary import AGE_BANDS
from support import build_search_index

TOWNSHIP, COUNTY_ONLY = "涡阳县 · 楚店镇", "涡阳县"
PUBLIC_FIELDS = {"id", "category", "form", "title", "description", "urgency", "status", "tier", "area",
                 "age_band", "age_band_label", "size_band", "deadline", "target_amount_fen", "target_quantity",
                 "unit", "url"}


def areas_shown(client, need_id):
    card = client.get("/needs").get_data(as_text=True)
    detail = client.get(f"/needs/{need_id}").get_data(as_text=True)
    listed = client.get("/api/v1/needs").get_json()["items"]
    one = client.get(f"/api/v1/needs/{need_id}").get_json()
    return card, detail, [item["area"] for item in listed if item["id"] == need_id] + [one["area"]]


def test_a_township_with_four_households_of_the_tier_is_shown_as_its_county(client, world):
    households = [world.household(tier="dibao") for _ in range(4)]
    world.household(tier="marginal")  # another tier does not count
    world.household(tier="dibao", region_code="341621101")  # nor does another township
    need = world.need("open", household=households[0])
    card, detail, api = areas_shown(client, need.id)
    assert "楚店镇" not in card and "楚店镇" not in detail
    assert f"<dd>{COUNTY_ONLY}</dd>" in card and f"<dd>{COUNTY_ONLY}</dd>" in detail
    assert api == [COUNTY_ONLY, COUNTY_ONLY]


def test_a_township_with_five_households_of_the_tier_is_named(client, world):
    households = [world.household(tier="dibao") for _ in range(5)]
    need = world.need("open", household=households[0])
    card, detail, api = areas_shown(client, need.id)
    assert TOWNSHIP in card and TOWNSHIP in detail
    assert api == [TOWNSHIP, TOWNSHIP]


def test_households_that_left_the_registry_do_not_count(client, world):
    households = [world.household(tier="dibao") for _ in range(5)]
    with world.tx() as s:
        s.get(Household, households[4].id).status = "exited"
    need = world.need("open", household=households[0])
    assert areas_shown(client, need.id)[2] == [COUNTY_ONLY, COUNTY_ONLY]


def test_village_households_count_towards_their_township_and_the_village_is_never_shown(client, world):
    with world.tx() as s:
        ensure_regions(s, [("341621100201", "张庄村", "village", "341621100")])
    households = [world.household(tier="dibao", region_code="341621100201") for _ in range(3)]
    households += [world.household(tier="dibao") for _ in range(2)]
    need = world.need("open", household=households[0])
    card, detail, api = areas_shown(client, need.id)
    assert api == [TOWNSHIP, TOWNSHIP]
    assert "张庄村" not in card and "张庄村" not in detail


def test_the_counts_for_a_page_come_from_one_read_of_the_maintained_table(app, client, world):
    for region in ("341621100", "341621101", "341622100"):
        for tier in ("dibao", "marginal"):
            household = world.household(tier=tier, region_code=region)
            world.need("open", household=household, poster=world.city)
    build_search_index(app)  # facets then come from the index
    grouped, counts = [], []

    def spy(_conn, _cursor, statement, *_args):
        if "GROUP BY" in statement.upper() and "household" in statement.lower():
            grouped.append(statement)
        if "region_tier_count" in statement.lower():
            counts.append(statement)

    engine = app.extensions["marketplace.engine"]
    event.listen(engine, "before_cursor_execute", spy)
    try:
        page = client.get("/needs")
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert page.status_code == 200 and "楚店镇" not in page.get_data(as_text=True)  # one household a tier
    # Households are never recounted per request (registry.tier_counts keeps the figure): one keyed read.
    assert grouped == [] and len(counts) == 1


def test_minors_are_shown_as_minors_and_sizes_as_bands(client, world):
    year = date.today().year
    child = world.household(tier="tekun", head_birth_year=year - 12, hardships=["未成年", "孤儿"])
    need = world.need("open", household=child)
    family = world.household(members=4, head_birth_year=year - 40)
    senior = world.need("open", household=family, title="高龄老人助餐补贴", age_band="senior")
    card = client.get("/needs").get_data(as_text=True)
    detail = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "未成年人" in card and "未成年人" in detail and "1人户" in detail
    assert AGE_BANDS["senior"] in card and "4至5人户" in card
    items = {item["id"]: item for item in client.get("/api/v1/needs").get_json()["items"]}
    assert (items[need.id]["age_band"], items[need.id]["age_band_label"]) == ("minor", "未成年人")
    assert (items[senior.id]["age_band"], items[senior.id]["size_band"]) == ("senior", "4至5人户")


def test_an_adult_heads_need_marked_for_a_minor_shows_the_minor(client, world):
    household = world.household(head_birth_year=date.today().year - 38, members=3)
    need = world.need("open", household=household, title="小学生课后辅导", age_band="minor",
                      contact_basis="guardian_consent")
    assert client.get(f"/api/v1/needs/{need.id}").get_json()["age_band"] == "minor"


def test_the_json_carries_the_allowlist_and_nothing_else(client, world):
    household = world.household(household_no="341621-2021-000777", head_birth_year=1950)
    need = world.need("claimed", household=household)
    one = client.get(f"/api/v1/needs/{need.id}")
    assert one.status_code == 200 and one.is_json
    assert set(one.get_json()) == PUBLIC_FIELDS
    text = one.get_data(as_text=True)
    for private in (household.public_code, household.household_no, "341621100", "household", "1950"):
        assert private not in text
    assert one.get_json()["status"] == "claimed" and one.get_json()["url"] == f"/needs/{need.id}"


def test_the_json_list_filters_and_pages(app, client, world):
    app.config["PAGE_SIZE"] = 2
    for title in ("大一新生学费缺口", "高中生住宿费补助", "初中生学习用品"):
        world.need("open", title=title)
    world.need("open", form="service", category="care", title="独居老人每周上门助浴")
    first = client.get("/api/v1/needs?category=education").get_json()
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (3, 2, 1, 2)
    assert len(client.get("/api/v1/needs?category=education&page=2").get_json()["items"]) == 1
    assert client.get("/api/v1/needs?form=service&county=341621").get_json()["total"] == 1
    assert client.get("/api/v1/needs?county=341622").get_json()["total"] == 0
    everything = client.get("/api/v1/needs?page=1").get_json()["items"]
    assert {n["category"] for n in everything} <= {"education", "care"}


def test_the_json_refuses_bad_filters_and_hides_what_is_not_public(client, world):
    draft, cancelled = world.need("draft"), world.need("cancelled")
    for url in ("/api/v1/needs?category=nonsense", "/api/v1/needs?county=34", "/api/v1/needs?page=0"):
        response = client.get(url)
        assert response.status_code == 422 and response.is_json and response.get_json()["field"], url
    for need_id in (draft.id, cancelled.id, 987654):
        response = client.get(f"/api/v1/needs/{need_id}")
        assert response.status_code == 404 and response.get_json() == {"error": "需求不存在。", "field": None}


def test_the_household_facts_read_for_listings_are_the_allowlisted_ones(app, client, world):
    need = world.need("open", household=world.household(name="王桂英", phone="13905581234"))
    statements = []

    def spy(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    engine = app.extensions["marketplace.engine"]
    event.listen(engine, "before_cursor_execute", spy)
    try:
        for url in ("/", "/needs", f"/needs/{need.id}", "/api/v1/needs", f"/api/v1/needs/{need.id}"):
            client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert any("household" in s for s in statements)
    assert not any("_enc" in s for s in statements)
    with world.tx() as s:
        assert s.scalars(select(Household.head_name_enc)).one() is not None
