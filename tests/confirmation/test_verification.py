"""Whether a verification may go ahead without the household's word, and how the chain says it went:
refused for money without confirmation, allowed for a service (未经受助方确认 on the timeline and in the
export), the signed slip photo and a follow-up visit as the other two ways, a visit saying nothing arrived
as a stop."""

import csv
from datetime import date

import pytest
from confirm_support import claim_of, fulfilment_of, submit, verify
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation import rules
from marketplace.confirmation import service as confirmation
from marketplace.db import reading_session
from marketplace.errors import Invalid
from marketplace.ledger.export import ExportFilters, export_ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from support import login


def _entry(world, need_id: int) -> LedgerEntry:
    with world.tx() as s:
        return s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need_id)).one()


def _follow_up(world, need, *, received=True, satisfaction=4, remarks=None, staff=None):
    claim_id = claim_of(world, need.id).id
    with world.tx() as s:
        return confirmation.record_follow_up(
            s, world.user(s, staff or world.poster), s.get(Need, need.id), claim=s.get(Claim, claim_id),
            visited_on=date.today(), method="phone", received=received, satisfaction=satisfaction, remarks=remarks)


def test_the_defaults_require_confirmation_for_money_goods_and_retrofit_only(world):
    with world.tx() as s:
        assert {form: confirmation.required(s, form) for form in ("money", "goods", "retrofit", "service")} == {
            "money": True, "goods": True, "retrofit": True, "service": False}


def test_a_money_need_without_confirmation_is_not_verified(world):
    need = world.need("in_progress")
    fulfilment_id = submit(world, need)
    with pytest.raises(Invalid) as raised:
        verify(world, fulfilment_id)
    assert raised.value.message.startswith("该类需求须经受助方确认后才能核验")
    with world.tx() as s:
        assert s.get(Need, need.id).status == "submitted"
        assert s.scalars(select(LedgerEntry)).all() == []


def test_a_service_verified_without_confirmation_says_so_on_the_chain_and_in_the_export(client, world, engine,
                                                                                          tmp_path):
    need = world.need("in_progress", form="service", category="care", title="独居老人每周上门助浴")
    verify(world, submit(world, need))
    assert fulfilment_of(world, need.id).confirmation == "none"
    entry = _entry(world, need.id)
    assert entry.confirmation == "none"
    with world.tx() as s:
        code = s.get(Household, need.household_id).public_code
    login(client, "verifier@guoyang.gov.cn")
    timeline = client.get(f"/staff/households/{code}").get_data(as_text=True).split('id="timeline"')[1]
    assert "<strong>未经受助方确认</strong>" in timeline
    with reading_session(engine) as session:
        export_ledger(session, tmp_path / "ledger.csv", "csv", ExportFilters())
    with open(tmp_path / "ledger.csv", encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert row[header.index("受助方确认")] == "未经受助方确认"


def test_a_code_confirmed_money_need_shows_the_way_on_the_timeline(client, world):
    need = world.need("verified")  # World.confirm_delivery enters the slip's code
    assert _entry(world, need.id).confirmation == "code"
    with world.tx() as s:
        code = s.get(Household, need.household_id).public_code
    login(client, "verifier@guoyang.gov.cn")
    timeline = client.get(f"/staff/households/{code}").get_data(as_text=True).split('id="timeline"')[1]
    assert "受助方确认：确认码" in timeline and "未经受助方确认" not in timeline


def test_a_signed_slip_photo_counts_once_the_verifier_says_it_was_checked(world):
    need = world.need("in_progress")
    fulfilment_id = submit(world, need, extra_roles=("slip",))
    with pytest.raises(Invalid):
        verify(world, fulfilment_id)  # the photo alone is not enough: the verifier must have looked at it
    verify(world, fulfilment_id, slip_checked=True)
    assert _entry(world, need.id).confirmation == "slip"
    claim_id = claim_of(world, need.id).id
    with world.tx() as s:
        state = confirmation.state(s, claim=s.get(Claim, claim_id))
        assert state.slip.confirmed_via == "slip" and state.slip_photo


def test_slip_checked_without_a_slip_photo_is_no_confirmation(world):
    need = world.need("in_progress")
    fulfilment_id = submit(world, need)
    with pytest.raises(Invalid):
        verify(world, fulfilment_id, slip_checked=True)


def test_a_follow_up_where_the_household_received_the_aid_confirms(world):
    need = world.need("in_progress")
    fulfilment_id = submit(world, need)
    _follow_up(world, need, received=True, satisfaction=5)
    verify(world, fulfilment_id)
    assert _entry(world, need.id).confirmation == "visit"


def test_a_follow_up_where_nothing_arrived_stops_verification_even_with_the_code(world):
    need = world.need("in_progress", form="service", category="care")
    fulfilment_id = submit(world, need)
    world_claim = claim_of(world, need.id)
    with world.tx() as s:
        world.confirm_delivery(s, world.user(s, world.volunteer), claim=s.get(Claim, world_claim.id))
    follow_up = _follow_up(world, need, received=False, satisfaction=3)
    assert follow_up.satisfaction is None  # nothing arrived: nothing to rate
    with pytest.raises(Invalid) as raised:
        verify(world, fulfilment_id)
    assert "受助方表示未收到帮扶" in raised.value.message
    _follow_up(world, need, received=True, satisfaction=4)  # staff checked again: it did arrive
    verify(world, fulfilment_id)
    assert _entry(world, need.id).confirmation == "code"


def test_a_changed_rule_applies_to_the_next_verification(world):
    with world.tx() as s:
        rules.update(s, world.user(s, world.poster), {"money": False, "service": True})
    money = world.need("in_progress")
    verify(world, submit(world, money))
    assert _entry(world, money.id).confirmation == "none"
    service = world.need("in_progress", form="service", category="care")
    with pytest.raises(Invalid):
        verify(world, submit(world, service))
