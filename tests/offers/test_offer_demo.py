"""The demo's resource list: offers from several organisations, referrals accepted, declined and pending."""

from collections import Counter

from sqlalchemy import select

from marketplace.demo.seed import seed_demo
from marketplace.needs import holds
from marketplace.needs.models import Need
from marketplace.offers.models import NeedReferral, ResourceOffer


def test_the_demo_has_offers_of_several_organisations_with_referrals_in_each_state(app, engine, tx):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        offers = s.scalars(select(ResourceOffer)).all()
        assert len(offers) >= 5 and len({o.organization_id for o in offers}) >= 4
        referrals = s.scalars(select(NeedReferral)).all()
        states = Counter(r.status for r in referrals)
        assert states["accepted"] >= 2 and states["declined"] >= 2 and states["pending"] >= 2, states
        for r in referrals:
            need = s.get(Need, r.need_id)
            if r.status == "pending":
                assert holds.held_for(need) == r.organization_id
            if r.status == "accepted":
                assert need.status == "claimed" and r.claim_id
        for offer in offers:
            taken = sum((r.amount_fen or 0) if offer.budget_fen is not None else (r.quantity or 0)
                        for r in referrals if r.offer_id == offer.id and r.status == "accepted")
            total, left = ((offer.budget_fen, offer.remaining_fen) if offer.budget_fen is not None
                           else (offer.quantity, offer.remaining_quantity))
            assert left == total - taken >= 0
