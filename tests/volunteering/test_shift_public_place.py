"""A need's place is the same on every outward path: where its township holds fewer than K_MIN households of
its tier, the detail page, the shift page, 我的服务, the shift mail and the API all show only the county,
and the township's name appears nowhere (issue 13, failure 2)."""

from datetime import timedelta

from shift_support import service_need, shift

from marketplace.needs.listing import K_MIN
from marketplace.notify import emitters
from marketplace.volunteering import signups
from marketplace.volunteering.models import Shift
from support import login


def _small_township_need(world):
    """A service need in 楚店镇, where only its own household is 低保边缘 (below K_MIN)."""
    need = service_need(world)
    the_shift = shift(world, need, starts_in=timedelta(days=2))
    return need, the_shift


def test_shift_page_shows_the_same_county_place_as_the_detail_page(world, client):
    need, _ = _small_township_need(world)
    detail = client.get(f"/needs/{need.id}").get_data(as_text=True)
    page = client.get(f"/needs/{need.id}/shifts").get_data(as_text=True)
    assert "涡阳县" in detail and "楚店镇" not in detail
    assert "涡阳县" in page and "楚店镇" not in page, "the shift page names a township the detail page hides"
    api = client.get(f"/api/v1/needs/{need.id}").get_json()
    assert api["area"] == "涡阳县"


def test_township_is_named_everywhere_once_enough_households_live_there(world, client):
    need, _ = _small_township_need(world)
    for _ in range(K_MIN - 1):
        world.household()  # 低保边缘 households in 楚店镇: the need's own makes K_MIN
    for url in (f"/needs/{need.id}", f"/needs/{need.id}/shifts"):
        assert "涡阳县 · 楚店镇" in client.get(url).get_data(as_text=True), url


def test_volunteer_pages_and_shift_mail_use_the_projection(world, client):
    need, the_shift = _small_township_need(world)
    with world.tx() as s:
        signups.sign_up(s, world.user(s, world.volunteer), s.get(Shift, the_shift.id))
        context = emitters.shift_context(s, s.get(Shift, the_shift.id))
    assert context["shift"]["place"] == "涡阳县" and context["need"]["area"] == "涡阳县"
    login(client, "helper@volunteer.cn")
    mine = client.get("/my/shifts").get_data(as_text=True)
    assert "独居老人上门助浴" in mine and "涡阳县" in mine and "楚店镇" not in mine


def test_a_new_shift_stores_no_finer_place_than_the_projection(world):
    need, the_shift = _small_township_need(world)
    with world.tx() as s:
        assert s.get(Shift, the_shift.id).place == "涡阳县"
