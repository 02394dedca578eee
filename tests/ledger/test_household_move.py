"""迁移: moving a household between regions is its own act, for staff whose scope covers both places, with
a reason, recorded in the household's history and the security log."""

from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.registry.models import Household, HouseholdHistory
from marketplace.security.models import SecurityEvent
from support import login, post


def _grant(world, user_id, duties="registry_import"):
    with world.tx() as s:
        s.get(AppUser, user_id).duties = duties


def _move(client, code, to_region="341622100", reason="户主随子女迁居蒙城县双涧镇"):
    page = f"/staff/households/{code}"
    return post(client, f"{page}/move", {"to_region": to_region, "reason": reason}, page=page)


def _region(world, code):
    with world.tx() as s:
        return s.scalars(select(Household.region_code).where(Household.public_code == code)).one()


def test_city_staff_move_a_household_between_counties_and_it_is_recorded(client, world):
    household = world.household(region_code="341621100")
    _grant(world, world.city)
    login(client, "city@bozhou.gov.cn")
    assert "迁移该户" in client.get(f"/staff/households/{household.public_code}").get_data(as_text=True)
    response = _move(client, household.public_code)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _region(world, household.public_code) == "341622100"
    with world.tx() as s:
        [history] = s.scalars(select(HouseholdHistory).where(HouseholdHistory.household_id == household.id)).all()
        assert (history.source, history.actor_id) == ("迁移", world.city)
        assert history.changes == {"region_code": ["341621100", "341622100"], "reason": "户主随子女迁居蒙城县双涧镇"}
        [event] = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "household.move")).all()
        assert event.actor_id == world.city
        assert (event.detail["from"], event.detail["to"], event.detail["household"]) == \
            ("341621100", "341622100", household.public_code)

    guoyang, mengcheng = client.application.test_client(), client.application.test_client()
    login(guoyang, "poster@guoyang.gov.cn")
    login(mengcheng, "staff@mengcheng.gov.cn")
    assert guoyang.get(f"/staff/households/{household.public_code}").status_code == 403
    assert mengcheng.get(f"/staff/households/{household.public_code}").status_code == 200


def test_a_county_clerk_cannot_move_a_household_out_of_their_county(client, world):
    household = world.household(region_code="341621100")
    _grant(world, world.poster)
    login(client, "poster@guoyang.gov.cn")
    response = _move(client, household.public_code)
    assert response.status_code == 422
    assert "迁入地不在您负责的行政区划内" in response.get_data(as_text=True)
    assert _region(world, household.public_code) == "341621100"
    # Inside the county the same clerk may move it, and only with a reason.
    assert _move(client, household.public_code, to_region="341621101", reason="").status_code == 422
    assert _region(world, household.public_code) == "341621100"
    assert _move(client, household.public_code, to_region="341621101").status_code == 303
    assert _region(world, household.public_code) == "341621101"


def test_only_staff_with_the_duty_and_the_households_scope_may_move_it(client, world):
    household = world.household(region_code="341621100")
    _grant(world, world.city, duties="need_posting,verification")
    login(client, "city@bozhou.gov.cn")  # covers both counties, but holds no 名单导入 duty
    assert "迁移该户" not in client.get(f"/staff/households/{household.public_code}").get_data(as_text=True)
    assert _move(client, household.public_code).status_code == 403
    other = client.application.test_client()
    _grant(world, world.other_county)
    login(other, "staff@mengcheng.gov.cn")  # the destination's county alone is not enough
    response = post(other, f"/staff/households/{household.public_code}/move",
                    {"to_region": "341622100", "reason": "户主随子女迁居"}, page="/")
    assert response.status_code == 403
    assert _region(world, household.public_code) == "341621100"
