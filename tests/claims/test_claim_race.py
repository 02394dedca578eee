"""Claimers racing for one need: exactly one wins, with one claim row and one history row."""

import threading

from sqlalchemy import func, select

from marketplace.auth.service import create_user
from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.db import transaction
from marketplace.errors import Conflict
from marketplace.needs.models import Need, NeedHistory
from support import PASSWORD

RACERS = 24


def test_concurrent_claims_produce_exactly_one_claim(world, engine):
    need = world.need("open")
    with world.tx() as s:
        racers = [create_user(s, email=f"racer{i}@charity.org.cn", password=PASSWORD, display_name=f"racer{i}",
                              role="charity", organization_id=world.org_id).id for i in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(user_id: int) -> None:
        barrier.wait()
        try:
            with transaction(engine) as s:
                claims.claim_need(s, world.user(s, user_id), s.get(Need, need.id))
            result = "won"
        except Conflict:
            result = "conflict"
        except Exception as error:  # anything else (a lock error, a 500) fails the test below
            result = f"error: {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(uid,)) for uid in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(set(outcomes)) == ["conflict", "won"], outcomes
    assert outcomes.count("won") == 1
    assert outcomes.count("conflict") == RACERS - 1
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.need_id == need.id)) == 1
        transitions = s.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id,
                                                          NeedHistory.to_status == "claimed")).all()
        assert len(transitions) == 1
        assert s.get(Need, need.id).status == "claimed"
        assert s.get(Need, need.id).version == 3  # created at 1, published 2, claimed 3
