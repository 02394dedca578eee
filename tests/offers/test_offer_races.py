"""Races on both databases (the pattern of tests/pledges/test_pledge_race.py): two staff referring the same
need to two offers, and two acceptances against the last of one offer's budget. Exactly one wins each."""

import threading
from datetime import date

from offer_support import publish, second_org
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.db import transaction
from marketplace.errors import Conflict
from marketplace.needs.models import Need
from marketplace.offers import referring
from marketplace.offers.models import NeedReferral, ResourceOffer


def _race(jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job):
        barrier.wait()
        try:
            job()
            result = "won"
        except Conflict:
            result = "conflict"
        except Exception as error:  # a lock error or a 500 fails the test
            result = f"error: {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_staff_refer_one_need_to_two_offers_and_one_wins(world, engine):
    ours = publish(world)
    other_org, other_admin = second_org(world)
    theirs = publish(world, other_admin, regions=["341621", "341622"])
    need = world.need("open")

    def refer(staff_id, offer_id):
        def job():
            with transaction(engine) as s:
                referring.refer(s, world.user(s, staff_id), s.get(Need, need.id), s.get(ResourceOffer, offer_id), 7,
                                date.today())
        return job

    outcomes = _race([refer(world.poster, ours.id), refer(world.city, theirs.id)])
    assert sorted(outcomes) == ["conflict", "won"], outcomes
    with world.tx() as s:
        rows = s.scalars(select(NeedReferral).where(NeedReferral.need_id == need.id)).all()
        assert len(rows) == 1
        held = s.get(Need, need.id)
        assert held.held_by_org_id == rows[0].organization_id


def test_two_acceptances_against_the_last_budget_and_one_wins(world, engine):
    # 3,000 yuan left, two needs of 3,000 each referred: the budget covers one.
    offer = publish(world, budget_fen=300_000, cap_fen=None)
    needs = [world.need("open"), world.need("open", household=world.household())]
    with world.tx() as s:
        referral_ids = []
        for need in needs:
            referral_ids.append(referring.refer(s, world.user(s, world.poster), s.get(Need, need.id),
                                                s.get(ResourceOffer, offer.id), 7, date.today()).id)
        # Referring checked the remainder for each alone; accepting is where the last of it is decided.

    def accept(user_id, referral_id):
        def job():
            with transaction(engine) as s:
                referring.accept(s, world.user(s, user_id), s.get(NeedReferral, referral_id))
        return job

    with world.tx() as s:
        world.user(s, world.charity2).org_role = "coordinator"
    outcomes = _race([accept(world.charity, referral_ids[0]), accept(world.charity2, referral_ids[1])])
    assert sorted(outcomes) == ["conflict", "won"], outcomes
    with world.tx() as s:
        assert s.get(ResourceOffer, offer.id).remaining_fen == 0
        assert len(s.scalars(select(Claim).where(Claim.need_id.in_([n.id for n in needs]))).all()) == 1
        statuses = sorted(s.scalars(select(NeedReferral.status).where(NeedReferral.id.in_(referral_ids))))
        assert statuses == ["accepted", "pending"]
