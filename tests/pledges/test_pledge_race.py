"""Organisations pledging at once against one target: the sum never passes it, every loser gets a 409,
and the need is covered exactly once. Runs on SQLite and PostgreSQL like tests/claims/test_claim_race.py."""

import random
import threading

import pytest
from sqlalchemy import func, select

from marketplace.auth.service import create_user
from marketplace.db import transaction
from marketplace.errors import Conflict
from marketplace.needs.models import Need, NeedHistory
from marketplace.pledges import service
from marketplace.pledges.models import Pledge
from support import PASSWORD

RACERS = 16
TARGET_FEN = 300000


@pytest.mark.parametrize("equal", [False, True], ids=["random-amounts", "ten-fit-exactly"])
def test_concurrent_pledges_never_exceed_the_target(world, engine, equal):
    need = world.need("open")
    with world.tx() as s:
        racers = [create_user(s, email=f"pledger{i}@charity.org.cn", password=PASSWORD, display_name=f"p{i}",
                              role="charity", organization_id=world.org_id).id for i in range(RACERS)]
    rng = random.Random(6)
    # 16 amounts of 200 to 400 yuan: about 4,800 yuan asked for a target of 3,000, so some must lose.
    amounts = [rng.randrange(20000, 40001, 100) for _ in racers]
    if equal:  # 300 yuan each: exactly ten fit, the need is covered once and six lose
        amounts = [30000] * RACERS
    barrier = threading.Barrier(RACERS)
    outcomes: list[tuple[str, int]] = []
    lock = threading.Lock()

    def race(user_id: int, amount: int) -> None:
        barrier.wait()
        try:
            with transaction(engine) as s:
                service.pledge(s, world.user(s, user_id), s.get(Need, need.id), amount)
            result = "won"
        except Conflict:
            result = "conflict"
        except Exception as error:  # a lock error or a 500 fails the test below
            result = f"error: {error!r}"
        with lock:
            outcomes.append((result, amount))

    threads = [threading.Thread(target=race, args=pair) for pair in zip(racers, amounts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    results = [r for r, _ in outcomes]
    assert set(results) <= {"won", "conflict"}, outcomes
    assert len(results) == RACERS and "conflict" in results
    won = sum(a for r, a in outcomes if r == "won")
    with world.tx() as s:
        final = s.get(Need, need.id)
        rows = s.scalars(select(Pledge).where(Pledge.need_id == need.id)).all()
        assert final.pledged_fen == won == sum(p.amount_fen for p in rows) <= TARGET_FEN
        assert len(rows) == results.count("won")
        covered = s.scalar(select(func.count()).select_from(NeedHistory).where(
            NeedHistory.need_id == need.id, NeedHistory.to_status == "claimed"))
        assert final.status == ("claimed" if won == TARGET_FEN else "open")
        assert covered == (1 if won == TARGET_FEN else 0)
        if equal:
            assert (results.count("won"), final.status) == (10, "claimed")
