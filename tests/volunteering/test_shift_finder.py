"""志愿服务: the list of shifts a volunteer can still book, its filters and paging, what it shows a visitor,
and the 报名 button only where a sign-up would be accepted."""

import re
from datetime import datetime, timedelta

from shift_support import ADDRESS, service_need, shift, volunteer
from sqlalchemy import update

from marketplace.needs.models import Need
from marketplace.volunteering import shifts, signups
from marketplace.volunteering.models import Shift
from support import login, post


def _listed(client, query="") -> str:
    response = client.get("/shifts" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'id="shift-(\d+)"', page)}


def _past_shift(world, need):
    """A shift that started an hour ago (created the day before)."""
    start = (datetime.now(shifts.LOCAL) - timedelta(hours=1)).replace(second=0, microsecond=0)
    with world.tx() as s:
        return shifts.create_shift(s, world.user(s, world.charity), s.get(Need, need.id), on=start.date(),
                                   start=start.time(), end=(start + timedelta(hours=2)).time(), capacity=3,
                                   now=start - timedelta(days=1))


def test_only_upcoming_shifts_with_open_places_are_listed(world, client):
    need = service_need(world)
    open_one = shift(world, need, starts_in=timedelta(days=2), capacity=2)
    full = shift(world, need, starts_in=timedelta(days=3), capacity=1)
    cancelled = shift(world, need, starts_in=timedelta(days=4))
    past = _past_shift(world, need)
    over = service_need(world)
    on_closed_need = shift(world, over, starts_in=timedelta(days=2))
    taker = volunteer(world, "taker")
    with world.tx() as s:
        signups.sign_up(s, world.user(s, taker), s.get(Shift, full.id))
        shifts.cancel_shift(s, world.user(s, world.charity), s.get(Shift, cancelled.id))
        s.execute(update(Need).where(Need.id == over.id).values(status="verified"))

    page = _listed(client)
    assert _ids(page) == {open_one.id}
    assert {full.id, cancelled.id, past.id, on_closed_need.id}.isdisjoint(_ids(page))
    assert "共 <strong>1</strong> 个有空余名额的班次" in page
    assert "独居老人上门助浴" in page and "2 / 2" in page
    # The need's public projection: one 低保边缘 household in 楚店镇 shows as the county, no address.
    assert "涡阳县" in page and "楚店镇" not in page and ADDRESS not in page and "幸福村" not in page
    assert "登录后报名" in page  # a visitor is told how, not shown a form


def test_filters_by_date_skill_and_a_place_the_projection_names(world, client):
    need = service_need(world)
    soon = shift(world, need, starts_in=timedelta(days=2))
    later = shift(world, need, starts_in=timedelta(days=20), skills=["bathing"])
    elsewhere = service_need(world, claimed_by_charity=False)
    with world.tx() as s:  # a need in 蒙城县, scheduled by its own staff
        s.execute(update(Need).where(Need.id == elsewhere.id).values(region_code="341622100"))
    far = shift(world, elsewhere, starts_in=timedelta(days=5), actor=world.other_county)

    today = datetime.now(shifts.LOCAL).date()
    window = f"?from={today + timedelta(days=10)}&to={today + timedelta(days=30)}"
    assert _ids(_listed(client, window)) == {later.id}
    assert _ids(_listed(client, "?skill=bathing")) == {later.id}
    assert _ids(_listed(client, "?place=341622")) == {far.id}
    page = _listed(client)
    assert '<option value="341621">涡阳县</option>' in page and '<option value="341622">蒙城县</option>' in page
    assert 'value="341621100"' not in page  # one household there: the township is never offered
    # Asked anyway, a township the projection hides finds nothing rather than revealing what lies there.
    assert _ids(_listed(client, "?place=341621100")) == set()

    for _ in range(5):  # five 低保边缘 households in 楚店镇: now the township may be named
        world.household(region_code="341621100", tier="marginal")
    page = _listed(client)
    assert '<option value="341621100">楚店镇（涡阳县）</option>' in page
    assert _ids(_listed(client, "?place=341621100")) == {soon.id, later.id}
    assert "涡阳县 · 楚店镇" in _listed(client, "?place=341621100")

    bad = client.get("/shifts?from=2026-13-01")
    assert bad.status_code == 422 and "开始日期格式应为" in bad.get_data(as_text=True)
    backwards = client.get(f"/shifts?from={today + timedelta(days=5)}&to={today}")
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    assert client.get("/shifts?skill=juggling").status_code == 422


def test_pages_of_shifts(app, world, client):
    app.config["PAGE_SIZE"] = 2
    need = service_need(world)
    made = [shift(world, need, starts_in=timedelta(days=2 + n)) for n in range(5)]
    first, third = _listed(client), _listed(client, "?page=3")
    assert _ids(first) == {made[0].id, made[1].id} and _ids(third) == {made[4].id}
    assert "第 1 / 3 页，共 5 条" in first and 'href="/shifts?page=2"' in first


def test_a_volunteer_is_offered_only_what_they_can_book(world, client):
    need = service_need(world)
    plain = shift(world, need, starts_in=timedelta(days=2))
    skilled = shift(world, need, starts_in=timedelta(days=3), skills=["bathing"])
    volunteer(world, "walker")
    login(client, "walker@volunteer.cn")
    page = _listed(client)
    assert f'action="/shifts/{plain.id}/signup"' in page
    assert f'action="/shifts/{skilled.id}/signup"' not in page and "需要「助浴」技能" in page
    assert post(client, f"/shifts/{plain.id}/signup", page="/shifts").status_code == 303
    page = _listed(client)
    assert "您已报名（已报名）" in page and "加入日历（.ics）" in page
    assert '<a href="/shifts">志愿服务</a>' in client.get("/my/shifts").get_data(as_text=True)
    post(client, "/logout")
    login(client, "member@charity.org.cn")
    assert "/signup" not in _listed(client)  # a charity member may not sign up: no button
