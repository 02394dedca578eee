"""Hand-built 综合评估 scenarios, driven through the real services: needs posted, claimed or pledged,
evidence with its photos submitted (with the household's code from the delivery slip, or without),
verified or rejected by a second staff member, and follow-up visits recorded by staff.

Time passing is the one thing arranged around the services: a claim made N days ago (its claimed_at moved
back) and a deadline that passed before the evidence came in (the need's deadline moved to yesterday)."""

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass
class Built:
    """What a scenario made: claim and pledge ids by the name the test gave them."""

    claims: dict[str, int] = field(default_factory=dict)
    pledges: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)


def allow_unconfirmed_money(world) -> None:
    """The category setting: money evidence may be verified without the household's confirmation (it then
    says 未经受助方确认), so a scenario can have both kinds."""
    from marketplace.confirmation import rules

    with world.tx() as s:
        rules.update(s, world.user(s, world.poster), {"money": False})


def claim_and_submit(world, built: Built, name: str, *, days_ago: int = 0, confirm: bool = False, late: bool = False,
                     volunteer: bool = False, poster=None, place: str = "341621100", household=None) -> int:
    """A need claimed `days_ago` days ago by the charity member (or the volunteer, on a service need), with
    evidence submitted today: with the household's code when `confirm`, after the deadline when `late`."""
    from marketplace.claims import service as claims
    from marketplace.claims.models import Claim
    from marketplace.confirmation import service as confirmation
    from marketplace.fulfilment import service as fulfilment
    from marketplace.modelbase import utcnow
    from marketplace.needs.models import Need

    form = "service" if volunteer else "money"
    need = world.need("open", form=form, title=f"评估需求{name}号", household=household or world.household(place),
                      poster=poster or world.poster)
    with world.tx() as s:
        fulfiler = world.user(s, world.volunteer if volunteer else world.charity)
        claim = claims.claim_need(s, fulfiler, s.get(Need, need.id))
        claims.start(s, fulfiler, claim)
        built.claims[name], built.needs[name] = claim.id, need.id
    with world.tx() as s:  # time passes
        claim = s.get(Claim, built.claims[name])
        claim.claimed_at = utcnow() - timedelta(days=days_ago, hours=1)
        if late:
            s.get(Need, need.id).deadline = date.today() - timedelta(days=1)
    with world.tx() as s:
        claim = s.get(Claim, built.claims[name])
        fulfiler = world.user(s, claim.claimant_id)
        code = None
        if confirm:  # staff print the slip; the household gives its code to the fulfiler on delivery
            code = confirmation.slip_for(s, claim=claim, actor=world.user(s, world.poster)).code
        world.attach_evidence(s, fulfiler, s.get(Need, need.id), claim=claim)
        fulfilment.submit(s, fulfiler, claim, fulfilment.EvidenceInput(
            delivered_on=date.today(), summary="已将学费转入学校账户", amount_fen=300000, hours=3.0,
            confirmation_code=code))
    return built.claims[name]


def review_claim(world, claim_id: int, outcome: str, staff=None) -> None:
    from sqlalchemy import select

    from marketplace.fulfilment import service as fulfilment
    from marketplace.fulfilment.models import Fulfilment

    with world.tx() as s:
        row = s.scalars(select(Fulfilment).where(Fulfilment.claim_id == claim_id, Fulfilment.status == "submitted")).one()
        verifier = world.user(s, staff or world.verifier)
        if outcome == "verified":
            fulfilment.verify(s, verifier, row)
        else:
            fulfilment.reject(s, verifier, row, "收据看不清，请重新拍照上传")


def pledge_and_submit(world, built: Built, name: str, *, days_ago: int = 0, confirm: bool = False) -> int:
    """The charity pledges 1,000 元 of a money need `days_ago` days ago and submits its evidence today."""
    from marketplace.confirmation import service as confirmation
    from marketplace.modelbase import utcnow
    from marketplace.needs.models import Need
    from marketplace.pledges import review
    from marketplace.pledges import service as pledges
    from marketplace.pledges.models import Pledge

    need = world.need("open", title=f"评估需求{name}号")
    with world.tx() as s:
        row = pledges.pledge(s, world.user(s, world.charity), s.get(Need, need.id), 100000)
        built.pledges[name], built.needs[name] = row.id, need.id
    with world.tx() as s:
        s.get(Pledge, built.pledges[name]).pledged_at = utcnow() - timedelta(days=days_ago, hours=1)
    with world.tx() as s:
        row = s.get(Pledge, built.pledges[name])
        member = world.user(s, world.charity)
        code = confirmation.slip_for(s, pledge=row, actor=world.user(s, world.poster)).code if confirm else None
        world.attach_evidence(s, member, s.get(Need, need.id), pledge=row)
        review.submit(s, member, row, review.PledgeEvidence(date.today(), "已将善款转入学校账户", confirmation_code=code))
    return built.pledges[name]


def review_pledge(world, pledge_id: int, outcome: str) -> None:
    from marketplace.pledges import review
    from marketplace.pledges.models import Pledge

    with world.tx() as s:
        row, staff = s.get(Pledge, pledge_id), world.user(s, world.verifier)
        if outcome == "verified":
            review.verify(s, staff, row)
        else:
            review.reject(s, staff, row, "收据看不清，请重新拍照上传")


def follow_up(world, *, claim_id: int | None = None, pledge_id: int | None = None, satisfaction: int | None = 5,
              received: bool = True, remarks: str | None = None, staff=None) -> None:
    from marketplace.claims.models import Claim
    from marketplace.confirmation import service as confirmation
    from marketplace.needs.models import Need
    from marketplace.pledges.models import Pledge

    with world.tx() as s:
        claim = s.get(Claim, claim_id) if claim_id else None
        pledge = s.get(Pledge, pledge_id) if pledge_id else None
        need = s.get(Need, (claim or pledge).need_id)
        confirmation.record_follow_up(s, world.user(s, staff or world.township_staff), need, claim=claim,
                                      pledge=pledge, visited_on=date.today(), method="phone", received=received,
                                      satisfaction=satisfaction if received else None, remarks=remarks)


def mixed(world) -> Built:
    """The charity: A (10 days, confirmed, on time), B (3 days, not confirmed), C (5 days, confirmed, late),
    D rejected, pledge E (2 days, confirmed), pledge F rejected; follow-ups on A (5), B (4), E (3) and one
    on C where the household said nothing arrived. The volunteer: G (same day, not confirmed)."""
    allow_unconfirmed_money(world)
    built = Built()
    review_claim(world, claim_and_submit(world, built, "A", days_ago=10, confirm=True), "verified")
    review_claim(world, claim_and_submit(world, built, "B", days_ago=3), "verified")
    review_claim(world, claim_and_submit(world, built, "C", days_ago=5, confirm=True, late=True), "verified")
    review_claim(world, claim_and_submit(world, built, "D", days_ago=1), "rejected")
    review_pledge(world, pledge_and_submit(world, built, "E", days_ago=2, confirm=True), "verified")
    review_pledge(world, pledge_and_submit(world, built, "F"), "rejected")
    review_claim(world, claim_and_submit(world, built, "G", volunteer=True), "verified")
    follow_up(world, claim_id=built.claims["A"], satisfaction=5)
    follow_up(world, claim_id=built.claims["B"], satisfaction=4)
    follow_up(world, pledge_id=built.pledges["E"], satisfaction=3)
    follow_up(world, claim_id=built.claims["C"], received=False)
    return built

