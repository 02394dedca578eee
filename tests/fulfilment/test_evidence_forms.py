"""Evidence fitting the need: each form stores its own figures and drops the rest (so they never reach the
chain), requires its files, and takes the household's code in the same submission."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.claims import service as claims
from marketplace.confirmation import service as confirmation
from marketplace.errors import Invalid
from marketplace.fulfilment import evidence_forms
from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.volunteering.models import HoursEntry, Shift, ShiftSignup

# Every figure any form asks for, posted whatever the need's form (as a tampered form or an API client would).
EVERYTHING = {"amount_fen": 300000, "quantity": 1, "hours": 4.0, "service_from": date.today(), "item": "电暖器",
              "acceptance": "household", "acceptance_note": "村委会主任现场验收"}


def _started(world, form="money", **need):
    """A need of `form` whose claim is started, with the files its form requires staged."""
    n = world.need("in_progress", form=form, **need)
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, n.id))
        world.attach_evidence(s, world.user(s, claim.claimant_id), s.get(Need, n.id), claim=claim)
    return n


def _submit(world, need, *, stage=False, **fields):
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, need.id))
        user = world.user(s, claim.claimant_id)
        if stage:
            world.attach_evidence(s, user, s.get(Need, need.id), claim=claim)
        data = fulfilment.EvidenceInput(delivered_on=date.today(), summary="已按需求完成帮扶", **fields)
        return fulfilment.submit(s, user, claim, data)


def _nothing_written(world, need):
    with world.tx() as s:
        assert s.get(Need, need.id).status == "in_progress"
        assert s.scalar(select(func.count()).select_from(Fulfilment).where(Fulfilment.need_id == need.id)) == 0


def test_a_money_need_keeps_no_quantity_or_hours_and_none_reach_the_chain(world):
    """The issue's example: a money need's evidence posted with quantity 1 and 4.0 service hours."""
    need = _started(world, "money")
    stored = _submit(world, need, **EVERYTHING)
    assert (stored.amount_fen, stored.quantity, stored.hours) == (300000, None, None)
    assert (stored.item, stored.service_from, stored.acceptance, stored.acceptance_note) == (None, None, None, None)
    with world.tx() as s:
        world.confirm_delivery(s, world.user(s, world.charity), claim=claims.live_claim(s, s.get(Need, need.id)))
        fulfilment.verify(s, world.user(s, world.verifier), s.get(Fulfilment, stored.id))
    with world.tx() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert (entry.amount_fen, entry.quantity, entry.hours) == (300000, None, None)


def test_a_goods_need_keeps_quantity_and_item_and_the_item_defaults_to_the_need(world):
    need = _started(world, "goods", title="冬季棉被")
    stored = _submit(world, need, **{**EVERYTHING, "item": "  "})
    assert (stored.quantity, stored.item, stored.amount_fen, stored.hours, stored.acceptance) == (
        1, "冬季棉被", None, None, None)
    other = _started(world, "goods", title="冬季棉被", household=world.household())
    assert _submit(world, other, quantity=5, item="加厚棉被 2 米").item == "加厚棉被 2 米"


def test_a_goods_item_is_scanned_for_identifiers(world):
    need = _started(world, "goods")
    with pytest.raises(Invalid) as raised:
        _submit(world, need, quantity=5, item="棉被，联系13812345678")
    assert raised.value.field == "item" and "交付物品" in raised.value.message
    _nothing_written(world, need)


def test_a_service_need_keeps_its_dates_and_hours_only(world):
    need = _started(world, "service")
    stored = _submit(world, need, **{**EVERYTHING, "service_from": None, "hours": 3.5})
    assert (stored.hours, stored.service_from, stored.delivered_on) == (3.5, date.today(), date.today())
    assert (stored.amount_fen, stored.quantity, stored.item, stored.acceptance) == (None, None, None, None)


@pytest.mark.parametrize(("fields", "field"), [
    ({"hours": 3.0, "service_from": date.today() + timedelta(days=1)}, "service_from"),
    ({"hours": 30.0}, "hours"),  # more than the hours of one day
    ({"hours": None}, "hours"),
])
def test_service_dates_and_hours_are_checked(world, fields, field):
    need = _started(world, "service")
    with pytest.raises(Invalid) as raised:
        _submit(world, need, **fields)
    assert raised.value.field == field
    _nothing_written(world, need)


def test_a_retrofit_needs_who_accepted_it_and_keeps_no_quantity_or_hours(world):
    need = _started(world, "retrofit")
    with pytest.raises(Invalid) as raised:
        _submit(world, need, amount_fen=438050)
    assert raised.value.field == "acceptance"
    with pytest.raises(Invalid) as raised:
        _submit(world, need, amount_fen=438050, acceptance="neighbour")
    assert raised.value.field == "acceptance"
    with pytest.raises(Invalid) as raised:
        _submit(world, need, amount_fen=438050, acceptance="third_party", acceptance_note="验收人电话13812345678")
    assert raised.value.field == "acceptance_note" and "验收说明" in raised.value.message
    _nothing_written(world, need)
    stored = _submit(world, need, **{**EVERYTHING, "acceptance": "village", "amount_fen": 438050})
    assert (stored.amount_fen, stored.acceptance, stored.acceptance_note) == (438050, "village", "村委会主任现场验收")
    assert (stored.quantity, stored.hours, stored.item, stored.service_from) == (None, None, None, None)


@pytest.mark.parametrize(("form", "fields", "missing"), [
    ("money", {"amount_fen": 300000}, "收据或转账凭证"),
    ("goods", {"quantity": 5}, "交付照片"),
    ("retrofit", {"amount_fen": 300000, "acceptance": "household"}, "改造前照片、改造后照片"),
])
def test_evidence_without_the_files_its_form_requires_is_refused(world, form, fields, missing):
    need = world.need("in_progress", form=form)
    with pytest.raises(Invalid) as raised:
        _submit(world, need, **fields)
    assert raised.value.field == "files" and raised.value.message.startswith(f"还缺少：{missing}")
    _nothing_written(world, need)
    assert _submit(world, need, stage=True, **fields).status == "submitted"


def test_a_service_need_requires_no_file(world):
    need = world.need("in_progress", form="service")
    assert _submit(world, need, hours=2.0).status == "submitted"


def test_the_households_code_is_taken_with_the_evidence_and_a_wrong_one_saves_nothing(world):
    need = _started(world, "money")
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, need.id))
        code = confirmation.slip_for(s, claim=claim).code
    wrong = "000000" if code != "000000" else "111111"
    for bad in (wrong, "12345"):
        with pytest.raises(Invalid) as raised:
            _submit(world, need, amount_fen=300000, confirmation_code=bad)
        assert raised.value.field == "confirmation_code"
        _nothing_written(world, need)
    spaced = f"{code[:3]} {code[3:]}"
    stored = _submit(world, need, amount_fen=300000, confirmation_code=spaced)
    with world.tx() as s:
        slip = confirmation.slip_for(s, claim=claims.live_claim(s, s.get(Need, need.id)))
        assert slip.confirmed_via == "code"
        fulfilment.verify(s, world.user(s, world.verifier), s.get(Fulfilment, stored.id))
        assert s.get(Fulfilment, stored.id).confirmation == "code"


def test_shift_attendance_gives_the_service_evidence_its_dates_and_hours(world):
    need = world.need("in_progress", form="service")
    with world.tx() as s:
        assert evidence_forms.attendance(s, s.get(Need, need.id)) is None
        days = [date.today() - timedelta(days=3), date.today() - timedelta(days=1)]
        for day, minutes, status in zip(days + [date.today()], (120, 90, 600), ("approved", "pending", "declined"),
                                        strict=True):
            shift = Shift(need_id=need.id, date=day, start_time=time(9), end_time=time(17), place="楚店镇",
                          capacity=3, signup_code="123456", created_by_id=world.poster)
            s.add(shift)
            s.flush()
            signup = ShiftSignup(shift_id=shift.id, user_id=world.volunteer, status="booked",
                                 checked_in_at=datetime.combine(day, time(9), tzinfo=UTC))
            s.add(signup)
            s.flush()
            s.add(HoursEntry(signup_id=signup.id, user_id=world.volunteer, shift_id=shift.id, minutes=minutes,
                             status=status))
        s.flush()
        attended = evidence_forms.attendance(s, s.get(Need, need.id))
    # The declined entry does not count; the dates are those of the counted shifts.
    assert (attended.minutes, attended.hours, attended.first, attended.last) == (210, 3.5, days[0], days[1])
