"""A claim carried to the point where the household's confirmation matters: started, or with evidence
submitted, through the real services."""

from datetime import date

from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation.models import DeliverySlip
from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment


def claim_of(world, need_id: int) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need_id).order_by(Claim.id.desc())).first()


def fulfilment_of(world, need_id: int) -> Fulfilment:
    with world.tx() as s:
        return s.scalars(select(Fulfilment).where(Fulfilment.need_id == need_id)).one()


def slip_of(world, claim_id: int) -> DeliverySlip | None:
    with world.tx() as s:
        return s.scalars(select(DeliverySlip).where(DeliverySlip.claim_id == claim_id)).first()


def fulfiler_of(world, form: str) -> int:
    return world.volunteer if form == "service" else world.charity


def submit(world, need, *, extra_roles=()) -> int:
    """Evidence of an in-progress need's claim, with the required photos (and `extra_roles`); returns the
    fulfilment's id."""
    from evidence_samples import jpeg

    from marketplace.evidence import service as evidence_files

    claim = claim_of(world, need.id)
    with world.tx() as s:
        fulfiler = world.user(s, claim.claimant_id)
        claim = s.get(Claim, claim.id)
        world.attach_evidence(s, fulfiler, need, claim=claim)
        for role in extra_roles:
            evidence_files.stage(s, fulfiler, claim=claim, role=role, filename=f"{role}.jpg",
                                 data=jpeg(width=320, height=240), store=world.evidence_store)
        return fulfilment.submit(s, fulfiler, claim, fulfilment.EvidenceInput(
            delivered_on=date.today(), summary="已将帮扶送到受助方家中", amount_fen=300000, quantity=5, hours=3.0)).id


def verify(world, fulfilment_id: int, *, staff=None, slip_checked=False) -> Fulfilment:
    with world.tx() as s:
        return fulfilment.verify(s, world.user(s, staff or world.verifier), s.get(Fulfilment, fulfilment_id),
                                 slip_checked=slip_checked)


def other_org_member(world) -> str:
    """The e-mail of a member of another approved organisation (蒙城县)."""
    from marketplace.auth.service import create_user
    from marketplace.organizations.models import Organization
    from support import PASSWORD

    with world.tx() as s:
        org = Organization(name="蒙城县爱心家园", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        create_user(s, email="member@aixin.org.cn", password=PASSWORD, display_name="aixin", role="charity",
                    organization_id=org.id)
    return "member@aixin.org.cn"


def pledge(world, user_id, need_id, amount):
    from marketplace.needs.models import Need
    from marketplace.pledges import service

    with world.tx() as s:
        return service.pledge(s, world.user(s, user_id), s.get(Need, need_id), amount)
