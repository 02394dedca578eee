"""Mail that housekeeping queues: claims about to expire and expired, shift reminders, the daily digest.
Each is queued once however often housekeeping runs."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from marketplace.auth.models import AppUser
from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.notify import scheduled, subscriptions
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.volunteering import shifts, signups
from marketplace.worker import run_housekeeping


def mails(tx, kind):
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
        return [dict(opened(row.payload), key=row.idempotency_key) for row in rows]  # as the worker sends it


def _claim_expires_in(world, need_id, delta):
    with world.tx() as s:
        s.execute(update(Claim).where(Claim.need_id == need_id).values(expires_at=utcnow() + delta))


def test_a_claim_about_to_expire_warns_its_claimant_once(app, world, tx):
    need = world.need("claimed", title="助学金缺口提醒")
    _claim_expires_in(world, need.id, timedelta(hours=12))
    run_housekeeping(app)
    run_housekeeping(app)
    [mail] = mails(tx, "claim.expiring")
    assert mail["to"] == "member@charity.org.cn" and "助学金缺口提醒" in mail["subject"]
    assert mail["headers"] == {}  # about the claimant's own work: no unsubscribe


def test_a_claim_far_from_its_deadline_is_not_warned(app, world, tx):
    world.need("claimed")
    run_housekeeping(app)
    assert mails(tx, "claim.expiring") == []


def test_an_expired_claim_tells_the_claimant(app, world, tx):
    need = world.need("claimed", title="过期认领的需求")
    _claim_expires_in(world, need.id, timedelta(hours=-1))
    released, _ = run_housekeeping(app)
    assert released == 1
    [mail] = mails(tx, "claim.expired")
    assert mail["to"] == "member@charity.org.cn" and "过期认领的需求" in mail["text"]


def _shift_soon(world, hours=10):
    need = world.need("open", form="service", category="care", title="独居老人上门助浴")
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
    start = (datetime.now(shifts.LOCAL) + timedelta(hours=hours)).replace(second=0, microsecond=0)
    with world.tx() as s:
        return shifts.create_shift(s, world.user(s, world.charity), s.get(Need, need.id), on=start.date(),
                                   start=start.time(), end=(start + timedelta(hours=2)).time(), capacity=3)


def test_booked_volunteers_get_a_reminder_unless_they_turned_reminders_off(app, world, tx):
    from marketplace.auth.service import create_user
    from support import PASSWORD

    shift = _shift_soon(world)
    with tx() as s:
        quiet = create_user(s, email="quiet@volunteer.cn", password=PASSWORD, display_name="quiet",
                            role="volunteer", region_code="341621")
        subscriptions.turn_off(s, quiet.id, "reminders")
        quiet_id = quiet.id
    for user_id in (world.volunteer, quiet_id):
        with tx() as s:
            signups.sign_up(s, world.user(s, user_id), s.get(type(shift), shift.id))
    run_housekeeping(app)
    run_housekeeping(app)
    [mail] = mails(tx, "shift.reminder")
    assert mail["to"] == "helper@volunteer.cn" and "独居老人上门助浴" in mail["text"]
    assert mail["headers"]["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_shift_two_days_away_is_not_reminded_yet(app, world, tx):
    shift = _shift_soon(world, hours=48)
    with tx() as s:
        signups.sign_up(s, world.user(s, world.volunteer), s.get(type(shift), shift.id))
    run_housekeeping(app)
    assert mails(tx, "shift.reminder") == []


def _subscribe(tx, user_id, categories, regions, locale="zh_CN"):
    with tx() as s:
        user = s.get(AppUser, user_id)
        subscriptions.save(s, user, subscriptions.Choice(locale, True, categories, regions, True))


def test_the_digest_lists_only_new_matching_needs_and_is_sent_once_a_day(app, world, tx):
    _subscribe(tx, world.volunteer, ["education"], ["341621100"], locale="en")
    world.need("open", title="楚店镇新生学费")
    world.need("open", title="楚店镇房屋修缮", category="housing")
    world.need("open", title="双涧镇学生学费", household=world.household(region_code="341622100"),
               poster=world.other_county)
    old = world.need("open", title="上周发布的学费")
    with tx() as s:
        s.execute(update(Need).where(Need.id == old.id).values(published_at=utcnow() - timedelta(days=2)))
    run_housekeeping(app)
    run_housekeeping(app)
    with tx() as s:
        assert scheduled.daily_digest(s) == 0  # the day's digest exists: a re-run adds nothing
    [mail] = mails(tx, "digest.daily")
    assert mail["to"] == "helper@volunteer.cn" and mail["subject"].startswith("[Shanqiao] New needs")
    assert "楚店镇新生学费" in mail["text"] and "楚店镇新生学费" in mail["html"]
    for other in ("楚店镇房屋修缮", "双涧镇学生学费", "上周发布的学费"):
        assert other not in mail["text"]
    assert mail["key"].startswith(f"digest:{world.volunteer}:")
    assert "/unsubscribe/" in mail["text"] and "List-Unsubscribe" in mail["headers"]


def test_no_digest_without_a_subscription_or_without_matching_needs(app, world, tx):
    _subscribe(tx, world.charity, ["medical"], [])
    world.need("open", title="楚店镇新生学费")
    run_housekeeping(app)
    assert mails(tx, "digest.daily") == []
