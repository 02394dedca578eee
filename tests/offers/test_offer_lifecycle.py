"""An offer's life: published, matched by staff, a need referred to it (held for the organisation), accepted
(a claim, the budget drops) or declined (the need returns to everyone), lapsed, closed."""

from datetime import date, timedelta

import pytest
from offer_support import make_manager, offer_input, publish, second_org
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.modelbase import utcnow
from marketplace.needs import holds
from marketplace.needs.models import Need
from marketplace.offers import matching, referring, service
from marketplace.offers.models import NeedReferral, ResourceOffer
from marketplace.outbox.models import OutboxMessage as Outbox


def _refer(world, need_id, offer_id, staff=None, days=7):
    with world.tx() as s:
        return referring.refer(s, world.user(s, staff or world.poster), s.get(Need, need_id),
                               s.get(ResourceOffer, offer_id), days, date.today()).id


def test_staff_see_the_fitting_need_and_household_and_refer_it(world):
    offer = publish(world)
    need = world.need("open")
    spare = world.household(tier="marginal")  # no need yet: listed for staff to post one
    other_place = world.need("open", household=world.household(region_code="341622100"),
                             poster=world.other_county)
    wrong_category = world.need("open", category="housing", household=world.household())
    with world.tx() as s:
        staff = world.user(s, world.poster)
        found = matching.needs(s, staff, s.get(ResourceOffer, offer.id), date.today())
        assert [m.need.id for m in found] == [need.id]
        assert found[0].reasons and found[0].score > 0
        listed = matching.households(s, staff, s.get(ResourceOffer, offer.id), matching.PageRequest(1, 20),
                                     date.today())
        codes = {m.household.public_code for m in listed.items}
        assert spare.public_code in codes
        assert wrong_category.id not in [m.need.id for m in found] and other_place.id not in [m.need.id for m in found]

    referral_id = _refer(world, need.id, offer.id)
    with world.tx() as s:
        held = s.get(Need, need.id)
        assert holds.held_for(held) == world.org_id and held.hold_kind == "referral"
        referral = s.get(NeedReferral, referral_id)
        assert (referral.status, referral.amount_fen) == ("pending", 300_000)
        mail = s.scalars(select(Outbox).where(Outbox.kind == "offer.referred")).all()
        assert mail, "the organisation hears of the referral"
        # A referred need no longer shows among the matches (it is held).
        assert not matching.needs(s, world.user(s, world.poster), s.get(ResourceOffer, offer.id), date.today())


def test_accepting_makes_a_claim_and_takes_the_budget_in_the_same_transaction(world):
    offer = publish(world)
    need = world.need("open")
    referral_id = _refer(world, need.id, offer.id)
    with world.tx() as s:
        claim = referring.accept(s, world.user(s, world.charity), s.get(NeedReferral, referral_id))
        claim_id = claim.id
    with world.tx() as s:
        assert s.get(Need, need.id).status == "claimed"
        assert s.get(Need, need.id).held_by_org_id is None
        assert s.get(Claim, claim_id).organization_id == world.org_id
        assert s.get(ResourceOffer, offer.id).remaining_fen == 1_000_000 - 300_000
        referral = s.get(NeedReferral, referral_id)
        assert (referral.status, referral.claim_id) == ("accepted", claim_id)
    with world.tx() as s, pytest.raises(Conflict):  # answered once
        referring.accept(s, world.user(s, world.charity), s.get(NeedReferral, referral_id))


def test_a_failed_claim_leaves_the_budget_as_it_was(world, engine):
    from marketplace.db import transaction

    offer = publish(world)
    need = world.need("open")
    referral_id = _refer(world, need.id, offer.id)
    with world.tx() as s:  # the need is cancelled meanwhile: the claim fails after the budget UPDATE
        s.execute(Need.__table__.update().where(Need.id == need.id).values(status="cancelled"))
    with pytest.raises(Conflict), transaction(engine) as s:
        referring.accept(s, world.user(s, world.charity), s.get(NeedReferral, referral_id))
    with world.tx() as s:
        assert s.get(ResourceOffer, offer.id).remaining_fen == 1_000_000


def test_while_held_no_other_organisation_may_claim_and_after_declining_anyone_may(world):
    offer = publish(world)
    need = world.need("open")
    other_org, other_admin = second_org(world)
    referral_id = _refer(world, need.id, offer.id)
    with world.tx() as s, pytest.raises(Conflict, match="定向转介"):
        claims.claim_need(s, world.user(s, other_admin), s.get(Need, need.id))
    with world.tx() as s, pytest.raises(Invalid):
        referring.decline(s, world.user(s, world.charity), s.get(NeedReferral, referral_id), " ")
    with world.tx() as s:
        referring.decline(s, world.user(s, world.charity), s.get(NeedReferral, referral_id), "本期名额已满")
    with world.tx() as s:
        assert s.get(NeedReferral, referral_id).status == "declined"
        assert holds.held_for(s.get(Need, need.id)) is None
        assert s.get(ResourceOffer, offer.id).remaining_fen == 1_000_000
        claims.claim_need(s, world.user(s, other_admin), s.get(Need, need.id))


def test_a_lapsed_referral_shows_as_expired_and_cannot_be_accepted(world):
    offer = publish(world)
    need = world.need("open")
    referral_id = _refer(world, need.id, offer.id)
    past = utcnow() - timedelta(minutes=1)
    with world.tx() as s:
        s.get(NeedReferral, referral_id).reserved_until = past
        s.get(Need, need.id).held_until = past
    with world.tx() as s:
        referral = s.get(NeedReferral, referral_id)
        assert referring.shown_status(referral) == "lapsed"
        with pytest.raises(Conflict, match="保留期已过"):
            referring.accept(s, world.user(s, world.charity), referral)
    with world.tx() as s:
        assert s.get(ResourceOffer, offer.id).remaining_fen == 1_000_000
    # Staff may refer it again; the old referral is over for good.
    _refer(world, need.id, offer.id)
    with world.tx() as s:
        assert s.get(NeedReferral, referral_id).status == "lapsed"


def test_refusals_of_refer_and_answer(world):
    offer = publish(world)
    need = world.need("open")
    far = world.need("open", household=world.household(region_code="341622100"), poster=world.other_county)
    with world.tx() as s, pytest.raises(Forbidden):  # another county's staff
        referring.refer(s, world.user(s, world.other_county), s.get(Need, need.id), s.get(ResourceOffer, offer.id),
                        7, date.today())
    with world.tx() as s, pytest.raises(Conflict, match="服务地区"):  # outside the offer's places
        referring.refer(s, world.user(s, world.other_county), s.get(Need, far.id), s.get(ResourceOffer, offer.id),
                        7, date.today())
    no_duty = world.staff("reader@guoyang.gov.cn")
    with world.tx() as s, pytest.raises(Forbidden):
        referring.refer(s, world.user(s, no_duty), s.get(Need, need.id), s.get(ResourceOffer, offer.id), 7, date.today())
    referral_id = _refer(world, need.id, offer.id)
    _other_org, other_admin = second_org(world)
    with world.tx() as s, pytest.raises(Forbidden):  # not referred to their organisation
        referring.accept(s, world.user(s, other_admin), s.get(NeedReferral, referral_id))
    with world.tx() as s, pytest.raises(Forbidden):  # a plain member answers nothing
        referring.accept(s, world.user(s, world.charity2), s.get(NeedReferral, referral_id))


def test_publishing_checks_what_it_is_given(world):
    make_manager(world, world.charity)
    cases = [
        (dict(description="联系人电话13812345678"), "description"),
        (dict(categories=[]), "categories"),
        (dict(regions=["341600"]), "regions"),  # a city is not a county or township
        (dict(budget_fen=None), "budget"),
        (dict(quantity=10), "budget"),
        (dict(cap_fen=2_000_000), "cap"),
        (dict(ends_on=date.today() - timedelta(days=1)), "ends_on"),
    ]
    for overrides, field in cases:
        with world.tx() as s, pytest.raises(Invalid) as raised:
            service.publish(s, world.user(s, world.charity), offer_input(**overrides))
        assert raised.value.field == field, overrides
    with world.tx() as s, pytest.raises(Forbidden):  # a plain member
        service.publish(s, world.user(s, world.charity2), offer_input())
    with world.tx() as s, pytest.raises(Forbidden):  # an organisation not yet approved
        user = world.user(s, world.pending_member)
        user.org_role = "administrator"
        service.publish(s, user, offer_input())


def test_editing_the_total_moves_the_remainder_and_closing_releases_pending_needs(world):
    offer = publish(world)
    first, second = world.need("open"), world.need("open", household=world.household())
    accepted = _refer(world, first.id, offer.id)
    with world.tx() as s:
        referring.accept(s, world.user(s, world.charity), s.get(NeedReferral, accepted))
    _refer(world, second.id, offer.id)
    with world.tx() as s, pytest.raises(Invalid):  # less than already given
        service.edit(s, world.user(s, world.charity), s.get(ResourceOffer, offer.id), offer_input(budget_fen=200_000,
                                                                                                  cap_fen=None))
    with world.tx() as s:
        service.edit(s, world.user(s, world.charity), s.get(ResourceOffer, offer.id), offer_input(budget_fen=2_000_000))
    with world.tx() as s:
        assert s.get(ResourceOffer, offer.id).remaining_fen == 2_000_000 - 300_000
        service.end(s, world.user(s, world.charity), s.get(ResourceOffer, offer.id), "closed")
    with world.tx() as s:
        assert holds.held_for(s.get(Need, second.id)) is None
        statuses = set(s.scalars(select(NeedReferral.status).where(NeedReferral.offer_id == offer.id)))
        assert statuses == {"accepted", "cancelled"}


def test_quantity_offers_take_units(world):
    offer = publish(world, categories=["goods"], forms=["goods"], budget_fen=None, cap_fen=None, quantity=6,
                    unit="件", cap_quantity=5)
    need = world.need("open", form="goods", category="goods", title="冬季棉被")
    referral_id = _refer(world, need.id, offer.id)
    with world.tx() as s:
        assert s.get(NeedReferral, referral_id).quantity == 5
        referring.accept(s, world.user(s, world.charity), s.get(NeedReferral, referral_id))
    with world.tx() as s:
        assert s.get(ResourceOffer, offer.id).remaining_quantity == 1
