"""Staff read the access log of the households in their own region: who, when, which household, why."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.registry.models import AccessLog
from support import login


@pytest.fixture
def logged(world):
    """Views of a 楚店镇 and a 高炉镇 household (涡阳县) and of a 双涧镇 one (蒙城县)."""
    chudian, gaolu = world.household(), world.household(region_code="341621101")
    shuangjian = world.household(region_code="341622100")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    rows = [(world.poster, chudian, "view_chain", "核对救助记录与户主身份"),
            (world.verifier, gaolu, "view_contact", "安排帮扶联系"),
            (world.charity, chudian, "view_contact", "履行认领的帮扶，联系受助户"),
            (world.other_county, shuangjian, "view_chain", "核对救助记录与户主身份")]
    with world.tx() as s:
        for minute, (user, household, action, purpose) in enumerate(rows):
            s.add(AccessLog(user_id=user, household_id=household.id, action=action, purpose=purpose,
                            path=f"/staff/households/{household.public_code}",
                            at=start + timedelta(minutes=minute)))
    return {"chudian": chudian.public_code, "gaolu": gaolu.public_code, "shuangjian": shuangjian.public_code}


def codes_in(body: str, codes: dict) -> list[str]:
    """The households named on the page, in page order."""
    found = sorted((body.find(f">{code}<"), name) for name, code in codes.items() if f">{code}<" in body)
    return [name for _, name in found]


def test_county_staff_see_their_countys_log_newest_first(client, logged):
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/access-log").get_data(as_text=True)
    assert body.count("<tr><td><time") == 3
    assert codes_in(body, logged) == ["chudian", "gaolu"]
    assert body.index("履行认领的帮扶") < body.index("安排帮扶联系") < body.index("核对救助记录与户主身份")
    assert "member（慈善组织成员）" in body and "查看联系方式" in body and "2026-03-01 09:02:00" in body


def test_other_regions_see_only_their_own(client, logged):
    login(client, "staff@mengcheng.gov.cn")
    body = client.get("/staff/access-log").get_data(as_text=True)
    assert body.count("<tr><td><time") == 1 and codes_in(body, logged) == ["shuangjian"]
    township = client.application.test_client()
    login(township, "chudian@guoyang.gov.cn")
    body = township.get("/staff/access-log").get_data(as_text=True)
    assert body.count("<tr><td><time") == 2 and codes_in(body, logged) == ["chudian"]
    city = client.application.test_client()
    login(city, "city@bozhou.gov.cn")
    assert city.get("/staff/access-log").get_data(as_text=True).count("<tr><td><time") == 4


def test_the_log_narrows_to_one_household_and_pages(app, client, world, logged):
    login(client, "poster@guoyang.gov.cn")
    body = client.get(f"/staff/access-log?code={logged['gaolu'].lower()}").get_data(as_text=True)
    assert body.count("<tr><td><time") == 1 and codes_in(body, logged) == ["gaolu"]
    app.config["STAFF_PAGE_SIZE"] = 2
    first = client.get("/staff/access-log").get_data(as_text=True)
    second = client.get("/staff/access-log?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "第 1 页" in first and "下一页" in first and "<html" not in second
    assert "第 2 页" in second and "下一页" not in second and "上一页" in second
    assert codes_in(second, logged) == ["chudian"] and "2026-03-01 09:00:00" in second


def test_only_staff_read_the_log(client, logged):
    assert client.get("/staff/access-log").headers["Location"].startswith("/login")
    for email in ("member@charity.org.cn", "helper@volunteer.cn"):
        other = client.application.test_client()
        login(other, email)
        assert other.get("/staff/access-log").status_code == 403
        assert "访问日志" not in other.get("/needs").get_data(as_text=True)
    login(client, "poster@guoyang.gov.cn")
    assert 'href="/staff/access-log">访问日志</a>' in client.get("/needs").get_data(as_text=True)


def test_a_real_view_appears_in_the_log(client, world):
    household = world.household()
    login(client, "verifier@guoyang.gov.cn")
    client.get(f"/staff/households/{household.public_code}")
    body = client.get("/staff/access-log").get_data(as_text=True)
    assert body.count("<tr><td><time") == 1 and household.public_code in body and "查看救助链与身份信息" in body
    assert "verifier（民政工作人员）" in body
