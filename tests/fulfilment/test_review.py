"""Four eyes on verification: the verifier is neither the submitter nor the poster, and stays in region."""

import pytest

from marketplace.errors import Forbidden, Invalid
from marketplace.fulfilment import service as fulfilment
from marketplace.needs.models import Need


def _submitted(world, s, need):
    from sqlalchemy import select

    from marketplace.fulfilment.models import Fulfilment

    return s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()


def test_the_poster_cannot_verify_their_own_need(world):
    need = world.need("submitted")
    with world.tx() as s, pytest.raises(Forbidden) as raised:
        fulfilment.verify(s, world.user(s, world.poster), _submitted(world, s, need))
    assert "另一名工作人员" in raised.value.message


def test_the_submitter_cannot_verify(world):
    need = world.need("submitted")
    with world.tx() as s, pytest.raises(Forbidden):
        fulfilment.verify(s, world.user(s, world.charity), _submitted(world, s, need))


def test_staff_of_another_county_cannot_verify(world):
    need = world.need("submitted")
    with world.tx() as s, pytest.raises(Forbidden):
        fulfilment.verify(s, world.user(s, world.other_county), _submitted(world, s, need))


def test_city_staff_may_verify_a_county_need(world):
    need = world.need("submitted")
    with world.tx() as s:
        from marketplace.claims.models import Claim

        evidence = _submitted(world, s, need)
        world.confirm_delivery(s, world.user(s, world.charity), claim=s.get(Claim, evidence.claim_id))
        fulfilment.verify(s, world.user(s, world.city), evidence)
        assert s.get(Need, need.id).status == "verified"


def test_rejection_needs_a_reason_and_reopens_the_need(world):
    need = world.need("submitted")
    with world.tx() as s:
        with pytest.raises(Invalid):
            fulfilment.reject(s, world.user(s, world.verifier), _submitted(world, s, need), " ")
        fulfilment.reject(s, world.user(s, world.verifier), _submitted(world, s, need), "照片看不清")
        assert s.get(Need, need.id).status == "open"


def test_queue_shows_only_the_region_subtree(world):
    world.need("submitted")
    with world.tx() as s:
        assert len(fulfilment.queue(s, world.user(s, world.verifier)).items) == 1
        assert fulfilment.queue(s, world.user(s, world.city)).total == 1
        assert fulfilment.queue(s, world.user(s, world.other_county)).items == []
