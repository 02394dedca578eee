"""Shifts reach volunteers where they look: 为我推荐 and the daily digest; and a need's page offers
认领此需求 only to those whose claim would not be refused for their role."""

from datetime import timedelta

from shift_support import service_need, shift, volunteer
from sqlalchemy import select, update

from marketplace.auth.models import AppUser
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.notify import scheduled, subscriptions
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from support import login, post


def test_recommendations_show_open_shifts_near_the_volunteer_that_fit_their_skills(world, client):
    need = service_need(world)
    fits = shift(world, need, starts_in=timedelta(days=2))
    skilled = shift(world, need, starts_in=timedelta(days=3), skills=["nursing"])
    volunteer(world, "walker")  # registered in 涡阳县, no skills
    login(client, "walker@volunteer.cn")
    page = client.get("/recommendations").get_data(as_text=True)
    assert "近期有空余名额的班次" in page and fits.date.isoformat() in page
    assert skilled.date.isoformat() not in page  # needs 护理, which walker did not declare
    assert "涡阳县" in page and "楚店镇" not in page and 'href="/shifts"' in page
    post(client, "/logout")
    login(client, "member@charity.org.cn")
    assert "近期有空余名额的班次" not in client.get("/recommendations").get_data(as_text=True)


def _digests(tx):
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest.daily")
                         .order_by(OutboxMessage.id)).all()
        return {opened(row.payload)["to"]: opened(row.payload) for row in rows}


def test_the_daily_digest_tells_volunteers_of_new_shifts(world, tx):
    need = service_need(world)
    with tx() as s:  # published last week: not new; its shift, added today, is
        s.execute(update(Need).where(Need.id == need.id).values(published_at=utcnow() - timedelta(days=7)))
    added = shift(world, need, starts_in=timedelta(days=4))
    with tx() as s:
        for user_id in (world.volunteer, world.charity):
            subscriptions.save(s, s.get(AppUser, user_id), subscriptions.Choice("zh_CN", True, ["care"], [], True))
        assert scheduled.daily_digest(s) == 1
    mail = _digests(tx)["helper@volunteer.cn"]
    assert "member@charity.org.cn" not in _digests(tx)  # charity members are not asked to sign up to shifts
    assert "新的志愿服务班次" in mail["subject"] and mail["subject"].endswith("：1 个")
    text = mail["text"]
    assert "独居老人上门助浴" in text and added.date.isoformat() in text and "剩余 2 个名额" in text
    assert f"/needs/{need.id}/shifts" in text and "/shifts" in text
    assert "楚店镇" not in text and "幸福村" not in text


def test_the_digest_skips_shifts_of_other_categories(world, tx):
    need = service_need(world)
    with tx() as s:
        s.execute(update(Need).where(Need.id == need.id).values(published_at=utcnow() - timedelta(days=7)))
    shift(world, need, starts_in=timedelta(days=4))
    with tx() as s:
        subscriptions.save(s, s.get(AppUser, world.volunteer),
                           subscriptions.Choice("zh_CN", True, ["education"], [], True))
        assert scheduled.daily_digest(s) == 0


def test_claim_is_offered_only_where_the_role_may_claim(world, client):
    money = world.need("open", form="money", title="学费缺口")
    service = world.need("open", form="service", category="care", title="上门助浴")
    login(client, "helper@volunteer.cn")
    on_money = client.get(f"/needs/{money.id}").get_data(as_text=True)
    assert "认领此需求" not in on_money and "志愿者个人只能认领服务类需求" in on_money
    assert 'href="/shifts"' in on_money
    assert "认领此需求" in client.get(f"/needs/{service.id}").get_data(as_text=True)
    post(client, "/logout")
    login(client, "member@pending.org.cn")
    pending = client.get(f"/needs/{money.id}").get_data(as_text=True)
    assert "认领此需求" not in pending and "尚未通过民政部门审核" in pending
    post(client, "/logout")
    login(client, "member@charity.org.cn")
    assert "认领此需求" in client.get(f"/needs/{money.id}").get_data(as_text=True)
