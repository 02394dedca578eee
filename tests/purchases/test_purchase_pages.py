"""The 政府购买服务 pages: recording a project, the region's list, a project's progress and needs, assigning."""

from datetime import date, timedelta

from purchase_support import assign, deliver, project, service_need
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.needs.models import Need
from marketplace.purchases.models import PurchaseProject
from support import login, post

FORM = {"title": "涡阳县居家养老上门服务", "budget": "10000", "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=180)).isoformat(), "categories": ["care", "psychological"],
        "regions": ["341621100"], "target_hours": "100"}


def _form(world, **changes):
    data = dict(FORM, provider_id=str(world.org_id))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_with_the_duty_record_a_project_and_see_it_listed(client, world):
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/purchases/new").get_data(as_text=True)
    assert "涡阳县慈善协会" in page and "待审核公益社" not in page  # approved providers only
    assert 'value="341621100"' in page and 'value="341622100"' not in page  # places in the staff's region
    response = post(client, "/staff/purchases/new", _form(world), page="/staff/purchases/new")
    assert response.status_code == 303
    with world.tx() as s:
        row = s.scalars(select(PurchaseProject)).one()
        assert (row.categories, row.regions, row.budget_fen, row.target_hours) == (
            "care psychological", "341621100", 1_000_000, 100.0)
        assert (row.region_code, row.provider_id, row.created_by_id) == ("341621", world.org_id, world.poster)
    listing = client.get("/staff/purchases").get_data(as_text=True)
    assert "涡阳县居家养老上门服务" in listing and "10,000" in listing


def test_every_mistake_is_named_next_to_its_field_at_once(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/purchases/new",
                    _form(world, title="", budget="abc", ends_on=(date.today() - timedelta(days=1)).isoformat(),
                          target_hours=None),
                    page="/staff/purchases/new")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "请填写项目名称。" in text and "请输入数字金额" in text and "请修改以下" in text
    service = post(client, "/staff/purchases/new", _form(world, target_hours=None), page="/staff/purchases/new")
    assert service.status_code == 422 and "目标服务户数或目标服务时长之一" in service.get_data(as_text=True)
    dates = post(client, "/staff/purchases/new", _form(world, ends_on=(date.today() - timedelta(days=1)).isoformat()),
                 page="/staff/purchases/new")
    assert dates.status_code == 422 and "结束日期不能早于开始日期。" in dates.get_data(as_text=True)
    elsewhere = post(client, "/staff/purchases/new", _form(world, regions=["341622100"]), page="/staff/purchases/new")
    assert elsewhere.status_code == 422 and "不在您负责的行政区划内" in elsewhere.get_data(as_text=True)
    with world.tx() as s:
        assert s.scalars(select(PurchaseProject)).all() == []


def test_only_staff_with_the_duty_record_projects_and_only_staff_read_them(client, world):
    reader = world.staff("reader@guoyang.gov.cn", duties=("verification",))
    bought = project(world)
    with world.tx() as s:
        email = s.get(AppUser, reader).email
    login(client, email)
    assert client.get("/staff/purchases").status_code == 200
    detail = client.get(f"/staff/purchases/{bought.id}").get_data(as_text=True)
    assert "涡阳县居家养老上门服务" in detail and "纳入需求" not in detail  # reading, no assigning
    assert client.get("/staff/purchases/new").status_code == 403
    assert post(client, "/staff/purchases/new", _form(world), page="/staff/purchases").status_code == 403
    post(client, "/logout", {}, page="/")
    anonymous = client.get(f"/staff/purchases/{bought.id}")
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"]


def test_another_countys_staff_and_charities_cannot_open_a_project(client, world):
    bought = project(world)
    login(client, "staff@mengcheng.gov.cn")
    assert client.get(f"/staff/purchases/{bought.id}").status_code == 403
    assert "涡阳县居家养老上门服务" not in client.get("/staff/purchases").get_data(as_text=True)
    need = service_need(world)
    refused = post(client, f"/staff/purchases/{bought.id}/assign", {"need_id": need.id}, page="/staff/purchases")
    assert refused.status_code == 403
    post(client, "/logout", {}, page="/")
    login(client, "member@charity.org.cn")  # even the provider's members: the project page is the bureau's
    assert client.get(f"/staff/purchases/{bought.id}").status_code == 403
    # The township's and the city's staff read their county's project.
    for email in ("chudian@guoyang.gov.cn", "city@bozhou.gov.cn"):
        post(client, "/logout", {}, page="/")
        login(client, email)
        assert client.get(f"/staff/purchases/{bought.id}").status_code == 200, email


def test_assigning_on_the_page_and_its_refusal_beside_the_field(client, world):
    bought = project(world, categories=("care",), regions=("341621",))
    fits = service_need(world, title="独居老人每周上门照料")
    wrong = service_need(world, category="psychological", title="留守儿童心理陪伴")
    login(client, "poster@guoyang.gov.cn")
    url = f"/staff/purchases/{bought.id}"
    page = client.get(url).get_data(as_text=True)
    candidates = page.split('id="candidates"')[1]
    assert "独居老人每周上门照料" in candidates and "留守儿童心理陪伴" not in candidates
    refused = post(client, f"{url}/assign", {"need_id": wrong.id}, page=url)
    assert refused.status_code == 422
    assert "不在项目的服务类别内" in refused.get_data(as_text=True).split('id="need_id-error"')[1][:200]
    missing = post(client, f"{url}/assign", {"need_id": 999999}, page=url)
    assert missing.status_code == 422 and "需求不存在" in missing.get_data(as_text=True)
    done = post(client, f"{url}/assign", {"need_id": fits.id}, page=url, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "已纳入项目" in text and "独居老人每周上门照料" in text.split('id="project-needs"')[1]
    again = post(client, f"{url}/assign", {"need_id": fits.id}, page=url)
    assert again.status_code == 409
    removed = post(client, f"{url}/needs/{fits.id}/remove", {}, page=url)
    assert removed.status_code == 303
    with world.tx() as s:
        assert s.get(Need, fits.id).purchase_project_id is None


def test_the_project_page_shows_progress_from_its_figures_and_pages_its_needs(client, world):
    bought = project(world, target_hours=20.0, budget_fen=2_000_00, target_households=4)
    need = service_need(world)
    assign(world, bought, need)
    deliver(world, need, hours=5.0)
    login(client, "verifier@guoyang.gov.cn")
    page = client.get(f"/staff/purchases/{bought.id}").get_data(as_text=True)
    hours = page.split('id="progress-hours"')[1].split("</tr>")[0]
    assert "5.0" in hours and "20.0" in hours and "25%" in hours
    budget = page.split('id="progress-budget"')[1].split("</tr>")[0]
    assert "500" in budget and "2,000" in budget
    households = page.split('id="progress-households"')[1].split("</tr>")[0]
    assert ">1<" in households and "25%" in households
    assert "已核验" in page.split('id="project-needs"')[1]
    assert client.get(f"/staff/purchases/{bought.id}?page=0").status_code == 422


def test_the_pages_read_in_english(client, world):
    bought = project(world)
    assign(world, bought, service_need(world))
    with world.tx() as s:
        s.get(AppUser, world.poster).locale = "en"
    login(client, "poster@guoyang.gov.cn")
    import re

    for url in ("/staff/purchases", f"/staff/purchases/{bought.id}", "/staff/purchases/new"):
        text = client.get(url).get_data(as_text=True)
        body = re.sub(r"<[^>]+>", " ", text.split("<main", 1)[1].split("</main>")[0])
        for data in ("涡阳县居家养老上门服务", "涡阳县慈善协会", "独居老人每周上门照料", "涡阳县", "楚店镇", "高炉镇"):
            body = body.replace(data, "")
        assert not re.search(r"[\u4e00-\u9fff]", body), (url, re.findall(r"[^\s]*[\u4e00-\u9fff]+[^\s]*", body)[:10])
    error = post(client, "/staff/purchases/new", _form(world, target_hours=None), page="/staff/purchases/new")
    assert error.status_code == 422 and "target" in error.get_data(as_text=True).lower()


def test_the_report_breakdown_reads_in_english(client, world):
    import re

    bought = project(world)
    need = service_need(world)
    assign(world, bought, need)
    deliver(world, need, hours=6.0)
    with world.tx() as s:
        s.get(AppUser, world.verifier).locale = "en"
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/reports?region=341621").get_data(as_text=True)
    part = page.split('id="cliff-funding-h"')[1].split('id="who-h"')[0]
    assert "By funding source" in part and "Government-purchased service" in part and "6.0 hours" in part
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", " ", part))
    who = page.split('id="who-h"')[1]
    assert "Funding source" in who and "Government-purchased service" in who


def test_the_providers_members_find_the_needs_waiting_for_them(client, world):
    from purchase_support import other_org_member

    bought = project(world)
    waiting = service_need(world, title="独居老人每周上门照料")
    assign(world, bought, waiting)
    service_need(world, title="未纳入项目的照料需求")
    login(client, "member2@charity.org.cn")
    page = client.get("/my/purchases").get_data(as_text=True)
    assert "涡阳县居家养老上门服务" in page.split('id="provided"')[1]
    rows = page.split('id="waiting"')[1]
    assert "独居老人每周上门照料" in rows and "未纳入项目的照料需求" not in rows
    detail = client.get(f"/needs/{waiting.id}").get_data(as_text=True)
    assert "认领此需求" in detail  # the provider's members are offered the claim
    post(client, "/logout", {}, page="/")
    stranger = other_org_member(world)
    with world.tx() as s:
        email = s.get(AppUser, stranger).email
    login(client, email)
    page = client.get("/my/purchases").get_data(as_text=True)
    assert "涡阳县居家养老上门服务" not in page and "独居老人每周上门照料" not in page
    assert "政府购买服务" in client.get(f"/needs/{waiting.id}").get_data(as_text=True)
    post(client, "/logout", {}, page="/")
    login(client, "helper@volunteer.cn")
    assert client.get("/my/purchases").status_code == 403


def test_the_providers_page_reads_in_english(client, world):
    import re

    bought = project(world)
    assign(world, bought, service_need(world, title="独居老人每周上门照料"))
    with world.tx() as s:
        s.get(AppUser, world.charity).locale = "en"
    login(client, "member@charity.org.cn")
    text = client.get("/my/purchases").get_data(as_text=True)
    body = re.sub(r"<[^>]+>", " ", text.split("<main", 1)[1].split("</main>")[0])
    for data in ("涡阳县居家养老上门服务", "独居老人每周上门照料", "涡阳县", "楚店镇"):
        body = body.replace(data, "")
    assert "Needs waiting for your organisation" in body
    assert not re.search(r"[\u4e00-\u9fff]", body), re.findall(r"[^\s]*[\u4e00-\u9fff]+[^\s]*", body)[:10]
