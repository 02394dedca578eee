"""The needs, search and recommendation pages in English, as each role uses them: a visitor browsing and
searching needs, staff posting and managing one (with refusals in English), a charity claiming one, the
recommendations and service preferences, the synonym list and the API's refusals. Chinese stays the
default (the other tests run in it)."""

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.needs.models import Need
from support import build_search_index, login, post

VISITOR = {"Accept-Language": "en-GB,en;q=0.9"}




def test_a_visitor_browses_and_searches_needs_in_english(app, client, world):
    world.need("open", title="独居老人冬季棉被", urgency="urgent")
    build_search_index(app)
    home = client.get("/", headers=VISITOR).get_data(as_text=True)
    assert '<html lang="en">' in home
    for text in ("Who uses Shanqiao", "need is waiting to be claimed", "Browse needs", "Urgent needs",
                 "Target amount", "¥3,000", "Household size"):
        assert text in home, text
    page = client.get("/needs", headers=VISITOR).get_data(as_text=True)
    for text in ("Search needs", "Sort by", "Relevance", "Include claimed", "Need category", "Filters",
                 "<strong>1</strong> open need", "独居老人冬季棉被"):
        assert text in page, text
    assert "共 <strong>" not in page and "待认领需求" not in page
    nothing = client.get("/needs?q=ZZZZ", headers=VISITOR).get_data(as_text=True)
    assert "No needs match." in nothing and "“ZZZZ”: <strong>0</strong> open needs" in nothing


def test_a_need_reads_in_english_for_a_visitor_and_for_staff(client, world):
    need = world.need("open")
    page = client.get(f"/needs/{need.id}", headers=VISITOR).get_data(as_text=True)
    for text in ("Sign in to claim", "Contact details", "Deadline", "Region", "Household size"):
        assert text in page, text
    assert "登录后认领" not in page
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    staff = client.get(f"/needs/{need.id}").get_data(as_text=True)
    for text in ("For staff", "History", "Withdraw need", "Reason for withdrawal", "Up to 500 characters"):
        assert text in staff, text
    refused = post(client, f"/staff/needs/{need.id}/cancel", {"reason": ""}, page=f"/needs/{need.id}")
    assert refused.status_code == 422
    assert "Give a reason for withdrawing the need" in refused.get_data(as_text=True)
    listed = client.get("/staff/needs").get_data(as_text=True)
    assert "Manage needs" in listed and "1 need<" in listed and "Open" in listed


def test_staff_post_a_need_in_english_and_are_refused_in_english(client, world):
    household = world.household("341621100", "dibao")
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    url = f"/staff/households/{household.public_code}/needs/new"
    form = client.get(url).get_data(as_text=True)
    for text in (f"Post a need for {household.public_code}", "Title (shown publicly", "Duplicate aid check",
                 "Save draft", "e.g. head, spouse, child1"):
        assert text in form, text
    fields = {"category": "education", "form": "money", "title": "", "urgency": "normal", "source": "window",
              "deadline": (date.today() + timedelta(days=20)).isoformat(), "target_amount": "2000",
              "contact_basis": "none", "action": "publish"}
    empty = post(client, url, fields, page=url)
    assert empty.status_code == 422 and "Enter a title." in empty.get_data(as_text=True)
    no_amount = post(client, url, {**fields, "title": "大一新生学费缺口", "target_amount": ""}, page=url)
    assert "A money need needs a target amount above 0." in no_amount.get_data(as_text=True)
    # A member named in English is kept as the Chinese role the duplicate rules compare.
    done = post(client, url, {**fields, "title": "大一新生学费缺口", "member_ref": "Child 1"}, page=url)
    assert done.status_code == 303
    with world.tx() as s:
        need = s.scalars(select(Need).where(Need.household_id == household.id)).one()
        assert need.member_ref == "子女1" and need.status == "open"
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "The need has been posted." in shown and "member helped: child1" in shown


def test_a_withdrawn_need_its_claimant_held_reads_in_english(client, world):
    from marketplace.needs import service as needs

    need = world.need("claimed")
    with world.tx() as s:
        needs.cancel(s, world.user(s, world.poster), s.get(Need, need.id), "家庭情况已变化")
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    for text in ("and no longer shown publicly. You claimed it", "Your claim", "View my claim",
                 "Note: The need was withdrawn: 家庭情况已变化"):
        assert text in page, text


def test_a_claim_that_lost_the_race_is_explained_in_english(client, world):
    need = world.need("claimed")
    world.in_english(world.charity2)
    login(client, "member2@charity.org.cn")
    refused = post(client, f"/needs/{need.id}/claim", page="/my/claims")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "“Claim” is not possible" in body and "Someone else may have claimed it first" in body


def test_recommendations_and_service_preferences_in_english(client, world):
    world.need("open", category="care")
    with world.tx() as s:
        from marketplace.organizations.models import Organization

        org = s.get(Organization, world.user(s, world.charity).organization_id)
        org.service_categories, org.service_regions = "care", "341621100"
    world.in_english(world.charity)
    login(client, "member@charity.org.cn")
    page = client.get("/recommendations").get_data(as_text=True)
    for text in ("Recommended for me", "Your service preferences:", "Change service preferences",
                 "Same county", "Matches your service categories", "No aid in the last 12 months"):
        assert text in page, text
    assert "同县" not in page and "服务类别相符" not in page
    profile = client.get("/profile/service").get_data(as_text=True)
    assert "Service preferences" in profile and "Save service preferences" in profile
    refused = post(client, "/profile/service", {"categories": "cooking"}, page="/profile/service")
    assert refused.status_code == 422
    assert "Service category “cooking” does not exist" in refused.get_data(as_text=True)


def test_the_synonym_list_and_the_search_api_refuse_in_english(client, world):
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/synonyms").get_data(as_text=True)
    assert "Search synonyms" in page and "Synonym groups (one per line)" in page
    bad = post(client, "/staff/synonyms", {"groups": "轮椅 代步车\n孤词"}, page="/staff/synonyms")
    assert bad.status_code == 422
    assert "Line 2 has only one word, “孤词”" in bad.get_data(as_text=True)
    api = client.get("/api/v1/needs?sort=newest", headers=VISITOR)
    assert api.status_code == 422 and api.get_json()["error"].startswith("“newest” is not a valid value for sort")
    region = client.get("/api/v1/needs?region=34", headers=VISITOR).get_json()["error"]
    assert region == "region must be a region code of 6 or 9 or 12 digits."
