"""Error pages offer ways on: back to the page the reader came from (same site only), their role's work
lists, and for a 403 what the page needs, in words; not only 返回首页."""

import re

from support import login, post


def _ways(body: str) -> dict[str, str]:
    nav = re.search(r'<nav class="ways-on".*?</nav>', body, re.S).group(0)
    return {text: href for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_a_404_offers_the_page_before_and_the_fulfilers_work_lists(client, world):
    login(client, "member@charity.org.cn")
    response = client.get("/needs/999999", headers={"Referer": "http://localhost/my/claims?tab=ended"})
    assert response.status_code == 404
    ways = _ways(response.get_data(as_text=True))
    assert ways == {"返回上一页": "/my/claims?tab=ended", "我的认领": "/my/claims", "我的认捐": "/my/pledges",
                    "返回首页": "/"}

    elsewhere = client.get("/needs/999999", headers={"Referer": "https://evil.example/phish"})
    assert "返回上一页" not in _ways(elsewhere.get_data(as_text=True))  # another site is no way back


def test_a_403_says_what_permission_the_page_needs(client, world):
    login(client, "member@charity.org.cn")
    response = client.get("/staff/verify", headers={"Referer": "http://localhost/my/claims"})
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "此页面用于「凭证与认捐核验」，需要的身份：民政工作人员，并须被授予「" in body
    assert "您当前的身份是慈善组织成员" in body
    assert _ways(body)["返回上一页"] == "/my/claims" and _ways(body)["我的认领"] == "/my/claims"


def test_a_staff_member_without_the_duty_hears_which_duty_and_gets_their_own_lists(app, world):
    world.staff("reader@guoyang.gov.cn")  # no duties
    client = app.test_client()
    login(client, "reader@guoyang.gov.cn")
    body = client.get("/staff/verify").get_data(as_text=True)
    assert "需要的身份：民政工作人员，并须被授予「凭证核验」职责" in body
    ways = _ways(body)
    assert ways["工作台"] == "/staff/dashboard" and ways["救助对象"] == "/staff/households"
    assert "核验队列" not in ways  # not a link to another 403


def test_a_409_offers_the_work_lists_and_visitors_the_needs(client, world):
    need = world.need("claimed")
    login(client, "member2@charity.org.cn")
    refused = post(client, f"/needs/{need.id}/claim", page=f"/needs/{need.id}",
                   headers={"Referer": f"http://localhost/needs/{need.id}"})
    assert refused.status_code == 409
    ways = _ways(refused.get_data(as_text=True))
    assert ways["返回上一页"] == f"/needs/{need.id}" and ways["我的认领"] == "/my/claims"

    visitor = client.application.test_client()
    ways = _ways(visitor.get("/needs/999999").get_data(as_text=True))
    assert ways == {"帮扶需求": "/needs", "登录": "/login", "返回首页": "/"}
