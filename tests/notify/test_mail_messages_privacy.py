"""No mail to a non-staff recipient carries a household's name, ID number, phone or address: every kind,
in both languages, rendered from the contexts the emitters build, and the mail the real flows queue."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.claims import service as claims
from marketplace.modelbase import utcnow
from marketplace.needs.listing import public_needs
from marketplace.needs.models import Need
from marketplace.notify import digest_shifts, emitters, messages, subscriptions
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.volunteering import shifts

NAME, ID_NUMBER, PHONE, ADDRESS = "王秀英", "34162119800101002X", "13912345678", "涡阳县楚店镇幸福村三组18号"
SECRETS = (NAME, ID_NUMBER, ID_NUMBER[:17], PHONE, "139 1234 5678", ADDRESS, "幸福村")


@pytest.fixture
def household(world):
    return world.household(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)


def _contexts(world, household) -> dict:
    """A full context for every kind, built the way the emitters build theirs."""
    need = world.need("open", form="service", category="care", title="独居老人上门助浴", household=household,
                      description="老人行动不便，需要每周上门助浴一次。")
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
    start = (datetime.now(shifts.LOCAL) + timedelta(days=2)).replace(second=0, microsecond=0)
    with world.tx() as s:
        shift = shifts.create_shift(s, world.user(s, world.charity), s.get(Need, need.id), on=start.date(),
                                    start=start.time(), end=(start + timedelta(hours=2)).time(), capacity=3)
        base = emitters.shift_context(s, shift)
        [public] = public_needs(s, [need.id])
        # The digest's shifts, as notify/digest_shifts.py lists them for a volunteer following everything.
        offered = digest_shifts.matching(subscriptions.subscription_of(s, world.volunteer),
                                         world.user(s, world.volunteer),
                                         digest_shifts.new_open_shifts(s, utcnow() - timedelta(days=1), utcnow()))
        assert offered
    digest = {"id": public.id, "title": public.title, "category": public.category, "area": public.area,
              "deadline": public.deadline.isoformat(), "url": f"http://127.0.0.1:5000/needs/{public.id}"}
    return {**base, "org_name": "涡阳县慈善协会", "reason": emitters.redact(f"请联系 {PHONE} 核实"), "role": "成员",
            "expires": "2026-12-01 08:00 UTC", "by_org": True, "amount": "500元", "covered": False,
            "from_org": "涡阳县慈善协会", "to_org": "蒙城县爱心互助会", "hours": 72, "date": "2026-11-23",
            "needs": [digest], "more": 0, "settings_url": "http://127.0.0.1:5000/profile/notifications",
            "shifts": offered, "more_shifts": 0, "shifts_url": "http://127.0.0.1:5000/shifts",
            "name": "志愿者", "minutes": 60, "until": "08:15",
            "area": "涡阳县 · 楚店镇", "filed_on": "2026-11-20", "due_on": "2026-12-04", "outcome": "dibao", "offer_title": "困境学生助学金",
            "bulletin": {"region": "亳州市涡阳县", "year": 2026, "month": 10, "key": "2026-10", "posted": 12,
                         "fulfilled": 5, "blind_spots": 3, "unclaimed": 2}}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_kind_for_a_non_staff_recipient_is_free_of_household_identifiers(world, tx, household, locale):
    context = _contexts(world, household)
    with tx() as s:
        recipient = s.get(AppUser, world.volunteer)
        recipient.locale = locale
        for kind in messages.KINDS:
            assert messages.send(s, kind, recipient, context, f"privacy:{kind}:{locale}") is not None, kind
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("privacy:"))).all()
    assert {row.kind for row in rows} == set(messages.KINDS)
    for row in rows:
        mail = opened(row.payload)  # as the worker sends it
        assert mail["staff"] is False
        for part in ("subject", "text", "html"):
            for secret in SECRETS:
                assert secret not in mail[part], (row.kind, part, secret)
        assert "善桥" in mail["text"] and "http://127.0.0.1:5000/" in mail["text"]
        assert "<script" not in mail["html"] and "src=" not in mail["html"]


def test_the_mail_of_a_whole_need_life_cycle_is_free_of_household_identifiers(world, tx, household):
    world.need("verified", household=household, title="大一新生学费缺口")
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail")).all()
    assert {"need.claimed", "evidence.submitted", "fulfilment.verified"} <= {row.kind for row in rows}
    for row in rows:
        mail = opened(row.payload)
        for part in ("subject", "text", "html"):
            for secret in SECRETS:
                assert secret not in mail[part], (row.kind, part, secret)


def test_phone_and_id_numbers_typed_into_a_reason_are_masked():
    assert emitters.redact(f"户主{ID_NUMBER}，电话{PHONE}，座机0558-7212345") == "户主***，电话***，座机***"
