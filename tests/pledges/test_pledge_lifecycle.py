"""The pledge transitions of the need life cycle (lifecycle.PLEDGE_TRANSITIONS), each driven through the
pledge services, each writing exactly one history row; and each refused from every other state."""


import pytest
from pledge_support import TARGET_FEN, pledge, submit_evidence
from sqlalchemy import func, select

from marketplace.errors import Conflict
from marketplace.needs import lifecycle
from marketplace.needs.models import Need, NeedHistory
from marketplace.pledges import review, service
from marketplace.pledges.models import Pledge

ALL_STATES = ("draft", "open", "claimed", "in_progress", "submitted", "verified", "expired", "cancelled")


def _only_pledge(s, need_id):
    return s.scalars(select(Pledge).where(Pledge.need_id == need_id)).one()


def _covered(world):
    """A need whose single pledge covers it, with the evidence submitted."""
    need = world.need("open")
    row = pledge(world, world.charity, need.id, TARGET_FEN)
    submit_evidence(world, world.charity, row.id)
    return need


# (action, source) -> (arrange: world -> need, act: world, session, need_id)
DRIVEN = {
    ("cover", "open"): (lambda w: w.need("open"), lambda w, s, n: service.pledge(
        s, w.user(s, w.charity), s.get(Need, n), TARGET_FEN)),
    ("uncover", "claimed"): (_covered, lambda w, s, n: review.reject(
        s, w.user(s, w.verifier), _only_pledge(s, n), "收款凭证不清晰")),
    ("complete", "claimed"): (_covered, lambda w, s, n: review.verify(s, w.user(s, w.verifier), _only_pledge(s, n))),
}


def test_the_table_and_the_services_cover_the_same_transitions():
    table = {(action, source) for action, (sources, _) in lifecycle.PLEDGE_TRANSITIONS.items() for source in sources}
    assert table == set(DRIVEN)


@pytest.mark.parametrize(("action", "source"), sorted(DRIVEN))
def test_pledge_transition_moves_the_need_and_writes_one_history_row(world, action, source):
    arrange, act = DRIVEN[(action, source)]
    need = arrange(world)
    with world.tx() as s:
        assert s.get(Need, need.id).status == source
        before = s.scalar(select(func.count()).select_from(NeedHistory).where(NeedHistory.need_id == need.id))
        act(world, s, need.id)
    target = lifecycle.PLEDGE_TRANSITIONS[action][1]
    with world.tx() as s:
        assert s.get(Need, need.id).status == target
        history = s.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id)
                            .order_by(NeedHistory.id.desc())).first()
        assert (history.from_status, history.to_status) == (source, target) and history.reason
        count = s.scalar(select(func.count()).select_from(NeedHistory).where(NeedHistory.need_id == need.id))
        # verification also notes which pledge was verified; the others are one row each
        assert count == before + (2 if action == "complete" else 1)


FORBIDDEN = [(action, state) for action, (sources, _) in lifecycle.PLEDGE_TRANSITIONS.items()
             for state in ALL_STATES if state not in sources and state != "expired"]


@pytest.mark.parametrize(("action", "state"), FORBIDDEN)
def test_forbidden_pledge_transition_is_a_conflict(world, action, state):
    need = world.need(state)
    with world.tx() as s:
        with pytest.raises(Conflict) as raised:
            lifecycle.move(s, s.get(Need, need.id), action, world.poster)
        assert "不能" in raised.value.message
    with world.tx() as s:
        assert s.get(Need, need.id).status == state
