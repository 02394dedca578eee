"""Every allowed transition of the need life cycle through the services, and every forbidden one."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.claims import service as claims
from marketplace.errors import Conflict
from marketplace.fulfilment import service as fulfilment
from marketplace.ledger.models import LedgerEntry
from marketplace.needs import lifecycle
from marketplace.needs import service as needs
from marketplace.needs.models import Need, NeedHistory

ALL_STATES = ("draft", "open", "claimed", "in_progress", "submitted", "verified", "expired", "cancelled")


def make_in_state(world, state):
    if state == "expired":
        need = world.need("open")
        with world.tx() as s:
            needs.expire_overdue(s, need.deadline + timedelta(days=1))
        return need
    return world.need(state)


def last_history(s, need_id):
    return s.scalars(select(NeedHistory).where(NeedHistory.need_id == need_id).order_by(NeedHistory.id.desc())).first()


def live(s, need_id):
    return claims.live_claim(s, s.get(Need, need_id))


def fulfilment_of(s, need_id):
    from marketplace.fulfilment.models import Fulfilment

    return s.scalars(select(Fulfilment).where(Fulfilment.need_id == need_id, Fulfilment.status == "submitted")).one()


def submit(w, s, need_id):
    """The receipt the money need requires, staged as the form would, then the evidence."""
    charity, claim = w.user(s, w.charity), live(s, need_id)
    w.attach_evidence(s, charity, s.get(Need, need_id), claim=claim)
    return fulfilment.submit(s, charity, claim, fulfilment.EvidenceInput(
        delivered_on=date.today(), summary="学费已转入学校账户", amount_fen=300000))


def verify(w, s, need_id):
    """The household's code entered (the delivery confirmation money needs), then the verification."""
    w.confirm_delivery(s, w.user(s, w.charity), claim=live(s, need_id))
    return fulfilment.verify(s, w.user(s, w.verifier), fulfilment_of(s, need_id))


ALLOWED = {
    ("publish", "draft"): lambda w, s, n: needs.publish(s, w.user(s, w.poster), s.get(Need, n)),
    ("claim", "open"): lambda w, s, n: claims.claim_need(s, w.user(s, w.charity), s.get(Need, n)),
    ("start", "claimed"): lambda w, s, n: claims.start(s, w.user(s, w.charity), live(s, n)),
    ("release", "claimed"): lambda w, s, n: claims.release(s, w.user(s, w.charity), live(s, n), "人手不足"),
    ("release", "in_progress"): lambda w, s, n: claims.release(s, w.user(s, w.charity), live(s, n), "人手不足"),
    ("expire_claim", "claimed"): lambda w, s, n: claims.expire_overdue(s, datetime.now(UTC) + timedelta(days=8)),
    ("submit", "in_progress"): lambda w, s, n: submit(w, s, n),
    ("verify", "submitted"): lambda w, s, n: verify(w, s, n),
    ("reject", "submitted"): lambda w, s, n: fulfilment.reject(s, w.user(s, w.verifier), fulfilment_of(s, n),
                                                               "缺少学校收款凭证"),
    ("expire", "open"): lambda w, s, n: needs.expire_overdue(s, s.get(Need, n).deadline + timedelta(days=1)),
    **{("cancel", state): (lambda w, s, n: needs.cancel(s, w.user(s, w.poster), s.get(Need, n), "家庭情况已变化"))
       for state in lifecycle.BEFORE_VERIFIED},
}


def test_the_table_and_the_services_cover_the_same_transitions():
    table = {(action, source) for action, (sources, _) in lifecycle.TRANSITIONS.items() for source in sources}
    assert table == set(ALLOWED)


@pytest.mark.parametrize(("action", "source"), sorted(ALLOWED))
def test_allowed_transition_moves_the_need_and_writes_history(world, action, source):
    need = make_in_state(world, source)
    with world.tx() as s:
        before = s.scalar(select(func.count()).select_from(NeedHistory).where(NeedHistory.need_id == need.id))
        ALLOWED[(action, source)](world, s, need.id)
    target = lifecycle.TRANSITIONS[action][1]
    with world.tx() as s:
        assert s.get(Need, need.id).status == target
        history = last_history(s, need.id)
        assert (history.from_status, history.to_status) == (source, target)
        count = s.scalar(select(func.count()).select_from(NeedHistory).where(NeedHistory.need_id == need.id))
        assert count == before + 1
        if action in ("release", "cancel", "reject"):
            assert history.reason
        if action in ("expire", "expire_claim"):
            assert history.actor_id is None


FORBIDDEN = [(action, state) for action, (sources, _) in lifecycle.TRANSITIONS.items()
             for state in ALL_STATES if state not in sources]


@pytest.mark.parametrize(("action", "state"), FORBIDDEN)
def test_forbidden_transition_is_a_conflict_and_changes_nothing(world, action, state):
    need = make_in_state(world, state)
    with world.tx() as s:
        row = s.get(Need, need.id)
        history_before = s.scalar(select(func.count()).select_from(NeedHistory))
        with pytest.raises(Conflict) as raised:
            lifecycle.move(s, row, action, world.poster)
        assert "不能" in raised.value.message
        assert s.scalar(select(func.count()).select_from(NeedHistory)) == history_before
    with world.tx() as s:
        assert s.get(Need, need.id).status == state


def test_verification_appends_a_ledger_entry_in_the_same_transaction(world):
    need = world.need("verified")
    with world.tx() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert entry.source == "charity"
        assert entry.amount_fen == 300000
        assert entry.verified_by_id == world.verifier
        assert entry.seq == 1


def test_a_stale_copy_cannot_move_a_need_someone_else_moved(world):
    need = world.need("open")
    with world.tx() as s:
        stale = s.get(Need, need.id)
        s.expunge(stale)
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
    with world.tx() as s:
        s.add(stale)
        with pytest.raises(Conflict):
            lifecycle.move(s, stale, "claim", world.charity2)
