"""/staff/rules: staff read the rules; county-level (and higher) staff change them, and the change is
recorded; everyone else gets 403."""

from sqlalchemy import select

from marketplace.duplicates.models import DuplicateRule
from support import login, post


def _change(**overrides):
    data = {"goods-kind": "item_window", "goods-window_days": "60", "goods-active": "y",
            "goods-explanation": "试点县：同一物品60天内只发放一次。"}
    data.update(overrides)
    return data


def test_staff_see_every_rule_and_the_nav_link(client, world):
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/rules")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "重复救助规则" in body and "同一物品（如电暖器、棉被）90天内只发放一次" in body and "1826 天" in body
    assert 'href="/staff/rules"' in client.get("/").get_data(as_text=True)


def test_a_county_staff_member_changes_a_rule_and_it_is_recorded(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/rules/goods", _change(), page="/staff/rules")
    assert response.status_code == 303
    with world.tx() as s:
        rule = s.scalars(select(DuplicateRule).where(DuplicateRule.category == "goods")).one()
        assert (rule.window_days, rule.active, rule.updated_by_id) == (60, True, world.poster)
    assert "试点县" in client.get("/staff/rules").get_data(as_text=True)


def test_a_windowed_rule_needs_a_window(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/rules/goods", _change(**{"goods-window_days": ""}), page="/staff/rules")
    assert response.status_code == 422 and "时间窗口" in response.get_data(as_text=True)


def test_others_get_403(client, world):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/rules").status_code == 403
    assert post(client, "/staff/rules/goods", _change(), page="/").status_code == 403
    township = client.application.test_client()
    login(township, "chudian@guoyang.gov.cn")
    assert post(township, "/staff/rules/goods", _change(), page="/staff/rules").status_code == 403
    with world.tx() as s:
        assert s.scalars(select(DuplicateRule).where(DuplicateRule.category == "goods")).one().window_days == 90
