"""Who may claim and carry a claim, and what the claim's own rules forbid."""

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.fulfilment import service as fulfilment
from marketplace.needs.models import Need


def test_claiming_a_claimed_need_is_a_conflict_saying_why(world):
    need = world.need("claimed")
    with world.tx() as s, pytest.raises(Conflict) as raised:
        claims.claim_need(s, world.user(s, world.charity2), s.get(Need, need.id))
    assert "已认领" in raised.value.message


def test_an_organization_not_yet_vetted_cannot_claim(world):
    need = world.need("open")
    with world.tx() as s, pytest.raises(Forbidden) as raised:
        claims.claim_need(s, world.user(s, world.pending_member), s.get(Need, need.id))
    assert "审核" in raised.value.message


def test_a_volunteer_claims_service_needs_but_not_money(world):
    money = world.need("open", form="money")
    service = world.need("open", form="service", category="care", title="独居老人每周上门助浴")
    with world.tx() as s:
        with pytest.raises(Forbidden):
            claims.claim_need(s, world.user(s, world.volunteer), s.get(Need, money.id))
        claim = claims.claim_need(s, world.user(s, world.volunteer), s.get(Need, service.id))
        assert claim.organization_id is None


def test_staff_cannot_claim(world):
    need = world.need("open")
    with world.tx() as s, pytest.raises(Forbidden):
        claims.claim_need(s, world.user(s, world.verifier), s.get(Need, need.id))


def test_someone_elses_claim_cannot_be_started(world):
    need = world.need("open", form="service", category="care", title="独居老人每周上门助浴")
    with world.tx() as s:
        claim = claims.claim_need(s, world.user(s, world.volunteer), s.get(Need, need.id))
    with world.tx() as s, pytest.raises(Forbidden):
        claims.start(s, world.user(s, world.charity), s.get(Claim, claim.id))


def test_members_of_the_claiming_organization_share_the_claim(world):
    need = world.need("claimed")
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, need.id))
        claims.start(s, world.user(s, world.charity2), claim)
        assert s.get(Need, need.id).status == "in_progress"


def test_a_claim_is_extended_once_with_a_reason(world):
    need = world.need("claimed")
    with world.tx() as s:
        claim = claims.live_claim(s, s.get(Need, need.id))
        with pytest.raises(Invalid):
            claims.extend(s, world.user(s, world.charity), claim, "")
        first_expiry = claim.expires_at
        claims.extend(s, world.user(s, world.charity), claim, "等待学校开具收款账户")
        assert (claim.expires_at - first_expiry).days == 7
        with pytest.raises(Conflict):
            claims.extend(s, world.user(s, world.charity), claim, "再延一次")


def test_evidence_before_starting_is_refused(world):
    need = world.need("claimed")
    with world.tx() as s, pytest.raises(Conflict) as raised:
        fulfilment.submit(s, world.user(s, world.charity), claims.live_claim(s, s.get(Need, need.id)),
                          fulfilment.EvidenceInput(delivered_on=date.today(), summary="学费已转入", amount_fen=1))
    assert "开始帮扶" in raised.value.message


def test_evidence_for_money_needs_an_amount_and_nothing_is_written_without_it(world):
    need = world.need("in_progress")
    with world.tx() as s, pytest.raises(Invalid) as raised:
        fulfilment.submit(s, world.user(s, world.charity), claims.live_claim(s, s.get(Need, need.id)),
                          fulfilment.EvidenceInput(delivered_on=date.today(), summary="学费已转入学校"))
    assert raised.value.field == "amount"
    with world.tx() as s:
        assert s.get(Need, need.id).status == "in_progress"


def test_cancelling_a_claimed_need_ends_the_claim(world):
    need = world.need("claimed")
    from marketplace.needs import service as needs

    with world.tx() as s:
        needs.cancel(s, world.user(s, world.poster), s.get(Need, need.id), "已由政府临时救助解决")
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.status.in_(claims.LIVE))) == 0
        assert s.scalars(select(Claim)).one().status == "cancelled"
