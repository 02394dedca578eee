"""我的认领 and 我的认捐 as work lists: status tabs with counts, paging, compact cards that link to each
item's own page, where its actions are; a need the fulfiler once held that was cancelled shows its closed
state to them instead of a 404; the evidence page after submitting shows that it is in, not the form."""

import re
from datetime import date

from sqlalchemy import select

from marketplace import worklist
from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.needs import service as needs
from marketplace.needs.models import Need
from marketplace.pledges import service as pledges
from support import login, post


def _claim(world, need) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need.id).order_by(Claim.id.desc())).first()


def _cancel(world, need) -> None:
    with world.tx() as s:
        needs.cancel(s, world.user(s, world.poster), s.get(Need, need.id), "家庭情况已变化")


def _tab_counts(html: str) -> dict[str, int]:
    nav = re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    return {label: int(n) for label, n in re.findall(r'>(\S+) <span class="count">(\d+)</span>', nav)}


def test_my_claims_has_status_tabs_paging_and_cards_without_forms(client, world, monkeypatch):
    claimed = [world.need("claimed", title=f"助学需求{i}") for i in range(3)]
    world.need("in_progress", title="进行中的改造")
    world.need("submitted", title="待核验的学费")
    world.need("verified", title="已完成的学费")
    gone = world.need("claimed", title="后来撤销的需求")
    _cancel(world, gone)
    login(client, "member@charity.org.cn")

    html = client.get("/my/claims").get_data(as_text=True)
    assert _tab_counts(html) == {"进行中": 4, "待核验": 1, "已完成": 1, "已结束": 1}
    assert 'aria-current="page">进行中' in html
    assert "<form" not in html.split('<nav class="tabs"')[1].split("</main>")[0]  # no inline actions
    first = _claim(world, claimed[0])
    assert f'href="/my/claims/{first.id}"' in html and "助学需求0" in html and "待核验的学费" not in html

    ended = client.get("/my/claims?tab=ended").get_data(as_text=True)
    assert "后来撤销的需求" in ended and "需求已撤销" in ended and "助学需求0" not in ended
    assert "已完成的学费" in client.get("/my/claims?tab=completed").get_data(as_text=True)

    monkeypatch.setattr(worklist, "PAGE_SIZE", 3)
    one, two = (client.get(f"/my/claims?page={n}").get_data(as_text=True) for n in (1, 2))
    titles = [re.findall(r"助学需求\d|进行中的改造", page) for page in (one, two)]
    assert len(titles[0]) == 3 and len(titles[1]) == 1 and not set(titles[0]) & set(titles[1])
    assert "第 1 / 2 页，共 4 条" in one and 'href="/my/claims?tab=current&amp;page=2"' in one

    bad = client.get("/my/claims?tab=nothing")
    assert bad.status_code == 422 and "可选：进行中、待核验、已完成、已结束" in bad.get_data(as_text=True)


def test_the_claims_own_page_carries_its_actions_and_they_return_to_it(client, world):
    need = world.need("claimed", title="冬季取暖补贴")
    claim = _claim(world, need)
    login(client, "member2@charity.org.cn")  # any member of the claiming organisation
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    for action in ("start", "extend", "release"):
        assert f'action="/my/claims/{claim.id}/{action}"' in page
    assert "开始帮扶" in page and "延期7天" in page and "放弃认领" in page and "冬季取暖补贴" in page
    assert f'href="/needs/{need.id}"' in page

    started = post(client, f"/my/claims/{claim.id}/start", page=f"/my/claims/{claim.id}")
    assert started.status_code == 303 and started.headers["Location"] == f"/my/claims/{claim.id}"
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert "已开始帮扶" in page and f'href="/my/claims/{claim.id}/evidence"' in page
    assert f'action="/my/claims/{claim.id}/start"' not in page

    post(client, "/logout")
    login(client, "helper@volunteer.cn")  # not theirs
    assert client.get(f"/my/claims/{claim.id}").status_code == 403


def test_my_pledges_has_tabs_and_each_pledge_its_own_page(client, world):
    need = world.need("open", title="助学金缺口")
    with world.tx() as s:
        row = pledges.pledge(s, world.user(s, world.charity), s.get(Need, need.id), 100000)
    login(client, "member@charity.org.cn")
    html = client.get("/my/pledges").get_data(as_text=True)
    assert _tab_counts(html) == {"进行中": 1, "待核验": 0, "已完成": 0, "已结束": 0}
    assert f'href="/my/pledges/{row.id}"' in html and "<form" not in html.split('<nav class="tabs"')[1].split("</main>")[0]
    page = client.get(f"/my/pledges/{row.id}").get_data(as_text=True)
    assert "1,000 元" in page and f'action="/my/pledges/{row.id}/withdraw"' in page
    assert f'href="/my/pledges/{row.id}/evidence"' in page and f'href="/my/pledges/{row.id}/slip"' in page

    gone = post(client, f"/my/pledges/{row.id}/withdraw", {"reason": "资金安排有变"}, page=f"/my/pledges/{row.id}")
    assert gone.status_code == 303 and gone.headers["Location"] == f"/my/pledges/{row.id}"
    assert "已撤回" in client.get("/my/pledges?tab=ended").get_data(as_text=True)
    assert "助学金缺口" not in client.get("/my/pledges").get_data(as_text=True)


def test_a_cancelled_need_shows_its_closed_state_to_whoever_held_it(app, client, world):
    need = world.need("claimed", title="已撤销的助学需求")
    claim = _claim(world, need)
    _cancel(world, need)

    assert client.get(f"/needs/{need.id}").status_code == 404  # a visitor: nothing to see
    login(client, "member2@charity.org.cn")
    response = client.get(f"/needs/{need.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已撤销的助学需求" in body and "不再公开显示" in body
    assert "需求已撤销" in body and f'href="/my/claims/{claim.id}"' in body and "家庭情况已变化" in body
    item = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert "需求页面不再公开" in item and f'href="/needs/{need.id}"' not in item

    other = app.test_client()
    login(other, "helper@volunteer.cn")  # never held it
    assert other.get(f"/needs/{need.id}").status_code == 404

    pledged = world.need("open", title="撤销前已认捐")
    with world.tx() as s:
        row = pledges.pledge(s, world.user(s, world.charity), s.get(Need, pledged.id), 50000)
    _cancel(world, pledged)
    body = client.get(f"/needs/{pledged.id}").get_data(as_text=True)
    assert "撤销前已认捐" in body and "您曾认捐该需求" in body and f'href="/my/pledges/{row.id}"' in body


def _good_evidence() -> dict:
    return {"delivered_on": date.today().isoformat(), "summary": "学费已转入学校账户", "amount": "3000"}


def test_after_submitting_the_evidence_page_says_so_and_a_resubmission_is_answered_clearly(client, world):
    need = world.need("in_progress")
    claim = _claim(world, need)
    with world.tx() as s:
        world.attach_evidence(s, world.user(s, world.charity), need, claim=s.get(Claim, claim.id))
        world.confirm_delivery(s, world.user(s, world.charity), claim=s.get(Claim, claim.id))
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/evidence"
    sent = post(client, url, _good_evidence(), page=url)
    assert sent.status_code == 303 and sent.headers["Location"] == f"/my/claims/{claim.id}"

    back = client.get(url)  # the back button
    body = back.get_data(as_text=True)
    assert back.status_code == 200 and "凭证已提交，等待核验" in body
    assert 'name="summary"' not in body and f'href="/my/claims/{claim.id}"' in body

    again = post(client, url, _good_evidence(), page=f"/my/claims/{claim.id}")
    body = again.get_data(as_text=True)
    assert again.status_code == 409 and "无需重复提交" in body and "请先点击" not in body


def test_the_evidence_page_of_a_claim_not_started_says_to_start_first(client, world):
    claim = _claim(world, world.need("claimed"))
    login(client, "member@charity.org.cn")
    body = client.get(f"/my/claims/{claim.id}/evidence").get_data(as_text=True)
    assert "尚未开始帮扶" in body and 'name="summary"' not in body and f'href="/my/claims/{claim.id}"' in body
    with world.tx() as s:
        claims.start(s, world.user(s, world.charity), s.get(Claim, claim.id))
    assert 'name="summary"' in client.get(f"/my/claims/{claim.id}/evidence").get_data(as_text=True)


def test_the_verification_queues_are_tabs_of_compact_cards(client, world):
    need = world.need("submitted", title="待核验的学费")
    login(client, "verifier@guoyang.gov.cn")
    html = client.get("/staff/verify").get_data(as_text=True)
    assert _tab_counts(html) == {"认领凭证": 1, "认捐凭证": 0} and 'href="/staff/pledges"' in html
    assert "待核验的学费" in html and "/approve" not in html and "/reject" not in html
    assert re.search(r'href="/staff/verify/\d+"', html)
    assert _tab_counts(client.get("/staff/pledges").get_data(as_text=True)) == {"认领凭证": 1, "认捐凭证": 0}
    assert need.id
