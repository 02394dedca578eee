"""The 为我推荐 page and the 服务意向 form: who may see them, what they show, what the form accepts."""

from recommend_support import aid, declare, need
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.organizations.models import Organization
from support import login, post

PAGES = ("/recommendations", "/profile/service")


def test_visitors_are_sent_to_login_and_staff_are_refused(client, world):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    login(client, "poster@guoyang.gov.cn")
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/profile/service", data={"categories": "care"}).status_code in (400, 403)
    assert "为我推荐" not in client.get("/needs").get_data(as_text=True)


def test_a_charity_member_sees_ranked_needs_with_reasons_in_words(client, world):
    households = [world.household("341621100", "marginal") for _ in range(5)]
    first = need(world, households[0], waited=21)
    second = need(world, world.household("341622100", "dibao"), title="冬季取暖电暖器")
    aid(world, households[1])
    declare(world, world.charity, "care", "341621100")
    login(client, "member@charity.org.cn")
    page = client.get("/recommendations").get_data(as_text=True)
    assert '<a href="/recommendations">为我推荐</a>' in page
    assert page.index(f'href="/needs/{first}"') < page.index(f'href="/needs/{second}"')
    assert "同乡镇 · 服务类别相符 · 已等待21天 · 近12个月未获帮扶 · 低保边缘家庭" in page
    assert "涡阳县 · 楚店镇" in page and "您的服务意向：" in page and "生活照料" in page
    assert "style=" not in page and "<script>" not in page


def test_a_member_of_a_pending_organization_is_told_why_nothing_is_listed(client, world):
    need(world, world.household())
    login(client, "member@pending.org.cn")
    response = client.get("/recommendations")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "「待审核公益社」尚未通过民政部门审核" in body and "/needs/" not in body


def test_without_a_declaration_the_page_invites_one(client, world):
    need(world, world.household(), form="service", title="上门助浴服务")
    login(client, "helper@volunteer.cn")
    body = client.get("/recommendations").get_data(as_text=True)
    assert "您还没有填写服务意向" in body and "上门助浴服务" in body and "同县" in body


def test_a_charity_member_declares_the_organizations_profile(client, world):
    login(client, "member@charity.org.cn")
    form = client.get("/profile/service").get_data(as_text=True)
    assert 'name="categories" value="care"' in form and 'value="341621101"' in form and "整个涡阳县" in form
    response = post(client, "/profile/service", {"categories": ["education", "care"],
                                                 "regions": ["341621101", "341621"]}, page="/profile/service")
    assert response.status_code == 303
    with world.tx() as s:
        org = s.get(Organization, world.org_id)
        assert (org.service_categories, org.service_regions) == ("care education", "341621 341621101")
    again = client.get("/profile/service").get_data(as_text=True)
    assert 'value="care" checked' in again and 'value="341621101" checked' in again
    assert 'value="341621100" checked' not in again


def test_a_volunteer_declares_their_own_profile(client, world):
    login(client, "helper@volunteer.cn")
    response = post(client, "/profile/service", {"categories": "care", "regions": "341621100"}, page="/profile/service")
    assert response.status_code == 303
    with world.tx() as s:
        volunteer = s.get(AppUser, world.volunteer)
        assert (volunteer.service_categories, volunteer.service_regions) == ("care", "341621100")


def test_unknown_categories_and_places_are_refused_with_a_clear_message(client, world):
    login(client, "helper@volunteer.cn")
    bad_category = post(client, "/profile/service", {"categories": ["care", "cooking"]}, page="/profile/service")
    assert bad_category.status_code == 422
    body = bad_category.get_data(as_text=True)
    assert "服务类别「cooking」不存在" in body and 'value="care" checked' in body
    bad_region = post(client, "/profile/service", {"regions": ["341621100", "999999"]}, page="/profile/service")
    assert bad_region.status_code == 422
    assert "服务地区「999999」不是有效的县级或乡镇级行政区划代码" in bad_region.get_data(as_text=True)
    city = post(client, "/profile/service", {"regions": ["341600"]}, page="/profile/service")
    assert city.status_code == 422  # a prefecture is too wide a service area to rank by
    with world.tx() as s:
        volunteer = s.scalars(select(AppUser).where(AppUser.id == world.volunteer)).one()
        assert (volunteer.service_categories, volunteer.service_regions) == ("", "")
