"""Staff administer the accounts of their own region; a deactivated account cannot sign in."""

from sqlalchemy import select

from marketplace.auth.models import AppUser
from support import PASSWORD, csrf_from, login, post


def test_staff_create_a_volunteer_who_can_then_sign_in(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/users", {
        "email": "new.helper@volunteer.cn", "display_name": "新志愿者", "role": "volunteer",
        "region_code": "341621100", "password": "a-long-password"}, page="/staff/users")
    assert response.status_code == 303
    fresh = client.application.test_client()
    login(fresh, "new.helper@volunteer.cn", "a-long-password")


def test_staff_cannot_create_accounts_outside_their_region(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/users", {
        "email": "x@mengcheng.gov.cn", "display_name": "外县人员", "role": "staff",
        "region_code": "341622", "password": "a-long-password"}, page="/staff/users")
    assert response.status_code == 422
    assert "只能为您负责区域内" in response.get_data(as_text=True)
    with world.tx() as s:
        assert s.scalars(select(AppUser).where(AppUser.email == "x@mengcheng.gov.cn")).first() is None


def test_a_deactivated_account_cannot_sign_in(client, world):
    login(client, "poster@guoyang.gov.cn")
    assert post(client, f"/staff/users/{world.volunteer}/active", {"active": "0"},
                page="/staff/users").status_code == 303
    fresh = client.application.test_client()
    token = csrf_from(fresh.get("/login"))
    response = fresh.post("/login", data={"email": "helper@volunteer.cn", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 422


def test_staff_of_another_county_cannot_deactivate(client, world):
    login(client, "staff@mengcheng.gov.cn")
    response = post(client, f"/staff/users/{world.volunteer}/active", {"active": "0"}, page="/staff/users")
    assert response.status_code == 403
    with world.tx() as s:
        assert s.get(AppUser, world.volunteer).is_active


def test_the_user_list_is_staff_only_and_scoped(client, world):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/users").status_code == 403
    other = client.application.test_client()
    login(other, "staff@mengcheng.gov.cn")
    body = other.get("/staff/users").get_data(as_text=True)
    assert "poster@guoyang.gov.cn" not in body and "staff@mengcheng.gov.cn" in body
