"""Pledging through the pages: progress and form on the need page, 我的认捐, evidence, the staff queue."""

import re
from datetime import date

from pledge_support import need, pledge, second_org, stage_evidence, submit_evidence
from sqlalchemy import select

from marketplace.pledges.models import Pledge
from support import login, post


def test_the_need_page_shows_progress_organisations_and_a_form_defaulting_to_the_remainder(client, world):
    n = world.need("open")
    pledge(world, world.charity, n.id, 120050)
    second_org(world)
    login(client, "member@aixin.org.cn")
    page = client.get(f"/needs/{n.id}").get_data(as_text=True)
    assert "已认捐 <strong>1,200.5 元</strong> / 目标 3,000 元，剩余 <strong>1,799.5 元</strong>" in page
    assert "涡阳县慈善协会 · 1,200.5 元" in page
    assert re.search(r'name="amount"[^>]*value="1799.5"', page)
    assert "member" not in page.split("认捐进度")[1].split("</section>")[0]  # no pledger's name
    assert "认领此需求" not in page and "认捐剩余部分" in page
    assert "<script>" not in page and "style=" not in page


def test_pledging_through_the_page_and_an_over_pledge_gives_409_with_the_remainder(client, world):
    n = world.need("open")
    login(client, "member@charity.org.cn")
    page = f"/needs/{n.id}"
    response = post(client, f"/needs/{n.id}/pledge", {"amount": "1,000"}, page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    assert need(world, n.id).pledged_fen == 100000
    over = post(client, f"/needs/{n.id}/pledge", {"amount": "2500"}, page=page, headers={"HX-Request": "true"})
    assert over.status_code == 409 and "还差 2,000 元" in over.get_data(as_text=True)
    bad = post(client, f"/needs/{n.id}/pledge", {"amount": "abc"}, page=page)
    assert bad.status_code == 422


def test_volunteers_and_anonymous_visitors_get_no_pledge_form(client, world):
    n = world.need("open")
    assert 'name="amount"' not in client.get(f"/needs/{n.id}").get_data(as_text=True)
    login(client, "helper@volunteer.cn")
    assert 'name="amount"' not in client.get(f"/needs/{n.id}").get_data(as_text=True)
    assert post(client, f"/needs/{n.id}/pledge", {"amount": "100"}, page=f"/needs/{n.id}").status_code == 403


def test_my_pledges_withdraw_and_evidence_then_staff_verify(client, world, app):
    n = world.need("open")
    first = pledge(world, world.charity, n.id, 100000)
    second = pledge(world, world.charity, n.id, 200000)
    login(client, "member@charity.org.cn")
    mine = client.get("/my/pledges").get_data(as_text=True)
    assert "我的认捐" in mine and "1,000 元" in mine and "2,000 元" in mine
    assert post(client, f"/my/pledges/{second.id}/withdraw", {"reason": "预算调整"}, page="/my/pledges").status_code == 303
    assert (need(world, n.id).status, need(world, n.id).pledged_fen) == ("open", 100000)
    form = client.get(f"/my/pledges/{first.id}/evidence")
    assert form.status_code == 200 and "本笔认捐 1,000 元" in form.get_data(as_text=True)
    evidence = {"delivered_on": date.today().isoformat(), "summary": "已转账至学校账户"}
    refused = post(client, f"/my/pledges/{first.id}/evidence", evidence, page="/my/pledges")
    assert refused.status_code == 422 and "还缺少：收据或转账凭证" in refused.get_data(as_text=True)
    stage_evidence(world, world.charity, first.id)
    sent = post(client, f"/my/pledges/{first.id}/evidence", evidence, page="/my/pledges")
    assert sent.status_code == 303

    staff = app.test_client()
    login(staff, "verifier@guoyang.gov.cn")
    queue = staff.get("/staff/pledges").get_data(as_text=True)
    assert "涡阳县慈善协会" in queue and "已转账至学校账户" in queue
    assert post(staff, f"/staff/pledges/{first.id}/approve", page="/staff/pledges").status_code == 303
    with world.tx() as s:
        assert s.get(Pledge, first.id).status == "verified" and s.get(Pledge, first.id).ledger_entry_id
        assert [p.status for p in s.scalars(select(Pledge).order_by(Pledge.id))] == ["verified", "withdrawn"]


def test_the_poster_is_refused_on_the_queue_page(client, world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    submit_evidence(world, world.charity, p.id, "已转账至学校账户")
    login(client, "poster@guoyang.gov.cn")
    assert post(client, f"/staff/pledges/{p.id}/approve", page="/staff/pledges").status_code == 403
    refused = post(client, f"/staff/pledges/{p.id}/reject", {"reason": "看不清"}, page="/staff/pledges")
    assert refused.status_code == 403
