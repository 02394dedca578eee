"""综合评估 as staff and the public see it: staff of a region see the figures of the organisations working
in it and the evidence they come from, and no other county's; the public directory shows satisfaction and
the confirmation rate only as aggregates, only from five follow-ups on, and nothing identifying."""

import re

from evaluation_support import (
    Built,
    allow_unconfirmed_money,
    claim_and_submit,
    follow_up,
    mixed,
    review_claim,
)

from support import login


def _page(client, url: str) -> str:
    """The page's HTML without the column names its cells repeat for the phone layout (data-label)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r' data-label="[^"]*"', "", response.get_data(as_text=True))


def _row(text: str, first_cell: str) -> str:
    """The table row whose first cell holds `first_cell`, as HTML."""
    rows = [r.split("</tr>")[0] for r in text.split("<tr>")[1:]]
    [row] = [r for r in rows if first_cell in r.split("</th>")[0]]
    return row


def test_staff_see_each_organisations_figures_and_the_totals(world, client):
    mixed(world)
    login(client, "verifier@guoyang.gov.cn")
    text = _page(client, "/staff/evaluation")
    assert "涡阳县慈善协会" in text and "个人志愿者" in text
    row = _row(text, "涡阳县慈善协会")
    # verified, rejected, confirmation rate, satisfaction, follow-ups, on time, rejection rate, median days
    for shown in ("<td>4</td><td>2</td><td>75%</td>", "4.0 / 5", "<td>4</td><td>75%</td>", "33%", "4 天"):
        assert shown in row, shown
    totals = _row(text, "合计")
    assert "<td>5</td><td>2</td><td>60%</td>" in totals and "3 天" in totals
    assert 'href="/staff/evaluation"' in _page(client, "/staff/reports")  # linked from the reports and the menu


def test_the_underlying_list_shows_each_reviewed_evidence(world, client):
    mixed(world)
    login(client, "verifier@guoyang.gov.cn")
    text = _page(client, f"/staff/evaluation/{world.org_id}")
    assert "共 6 份已审核凭证" in text
    for name in "ABCDEF":
        assert f"评估需求{name}号" in text
    assert "评估需求G号" not in text  # the volunteer's
    assert "逾期" in text and "退回：收据看不清" in text and "未经受助方确认" in text and "确认码" in text
    assert "10 天" in text and "<td>5</td>" in text  # A's days and satisfaction
    volunteers = _page(client, "/staff/evaluation/0")
    assert "个人志愿者" in volunteers and "评估需求G号" in volunteers and "共 1 份" in volunteers
    assert client.get("/staff/evaluation/999999").status_code == 404


def test_the_list_is_paged(world, client, app):
    app.config["STAFF_PAGE_SIZE"] = 2
    mixed(world)
    login(client, "verifier@guoyang.gov.cn")
    first = _page(client, f"/staff/evaluation/{world.org_id}")
    assert "第 1 / 3 页" in first and f"/staff/evaluation/{world.org_id}?page=2" in first
    last = _page(client, f"/staff/evaluation/{world.org_id}?page=3")
    assert "第 3 / 3 页" in last and "下一页" not in last
    assert client.get(f"/staff/evaluation/{world.org_id}?page=x").status_code == 422


def test_another_countys_staff_do_not_see_this_countys_figures(world, client):
    mixed(world)
    allow_unconfirmed_money(world)
    built = Built()
    # The same organisation also helped in 蒙城县: that county's staff see that need alone.
    review_claim(world, claim_and_submit(world, built, "M", days_ago=1, poster=world.other_county,
                                         place="341622100"), "verified", staff=world.city)
    login(client, "staff@mengcheng.gov.cn")
    text = _page(client, "/staff/evaluation")
    assert _row(text, "涡阳县慈善协会").startswith('<th scope="row">') and "/staff/evaluation/0" not in text
    assert "<td>1</td><td>0</td>" in _row(text, "涡阳县慈善协会")
    listed = _page(client, f"/staff/evaluation/{world.org_id}")
    assert "评估需求M号" in listed and "评估需求A号" not in listed and "共 1 份" in listed
    assert "评估需求G号" not in _page(client, "/staff/evaluation/0")
    client.post("/logout")
    city = client  # the city's staff see both counties
    login(city, "city@bozhou.gov.cn")
    assert "共 7 份" in _page(city, f"/staff/evaluation/{world.org_id}")


def test_fulfilers_have_no_staff_evaluation(world, client):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/evaluation").status_code == 403
    assert client.get(f"/staff/evaluation/{world.org_id}").status_code == 403


def test_the_directory_shows_the_figures_from_five_follow_ups_on(world, client):
    built = mixed(world)  # four follow-ups of the charity's aid so far: A 5, B 4, E 3, C nothing arrived
    for url in ("/organizations", f"/organizations/{world.org_id}"):
        text = _page(client, url)
        assert "4.0 / 5" not in text and "75%" not in text
    assert "<td>—</td><td>—</td>" in _row(_page(client, "/organizations"), "涡阳县慈善协会")
    assert "回访不足5次，暂不公示" in _page(client, f"/organizations/{world.org_id}")
    follow_up(world, claim_id=built.claims["A"], satisfaction=4)
    row = _row(_page(client, "/organizations"), "涡阳县慈善协会")
    assert "4.0 / 5" in row and "75%" in row  # (5 + 4 + 3 + 4) / 4; 3 of 4 verified confirmed
    detail = _page(client, f"/organizations/{world.org_id}")
    assert "4.0 / 5" in detail and "回访 5 次" in detail and "75%" in detail and "暂不公示" not in detail


def test_no_identifying_data_on_the_public_directory(world, client):
    allow_unconfirmed_money(world)
    built = Built()
    household = world.household(name="王秀英", id_number="341621196505120021", phone="13812345678",
                                address="楚店镇王庄村12号")
    claim_id = claim_and_submit(world, built, "P", days_ago=2, household=household)
    review_claim(world, claim_id, "verified")
    for _ in range(5):
        follow_up(world, claim_id=claim_id, satisfaction=5, remarks="老人说学费已经交上了")
    for url in ("/organizations", f"/organizations/{world.org_id}"):
        text = _page(client, url)
        assert "5.0 / 5" in text
        for private in ("王秀英", "341621196505120021", "13812345678", "王庄村", "老人说学费", "评估需求P号",
                        "verifier", "chudian"):
            assert private not in text, (url, private)
