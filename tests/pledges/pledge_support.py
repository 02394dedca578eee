"""A second approved organisation with a member, so two organisations can share one need."""

from support import PASSWORD

TARGET_FEN = 300000  # the money need support.World.need posts: 3,000 元


def second_org(world) -> int:
    """The id of a member of 蒙城县爱心家园 (approved)."""
    from marketplace.auth.service import create_user
    from marketplace.organizations.models import Organization

    with world.tx() as s:
        org = Organization(name="蒙城县爱心家园", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        return create_user(s, email="member@aixin.org.cn", password=PASSWORD, display_name="aixin", role="charity",
                           organization_id=org.id).id


def pledge(world, user_id, need_id, amount):
    from marketplace.needs.models import Need
    from marketplace.pledges import service

    with world.tx() as s:
        return service.pledge(s, world.user(s, user_id), s.get(Need, need_id), amount)


def need(world, need_id):
    from marketplace.needs.models import Need

    with world.tx() as s:
        return s.get(Need, need_id)


def verified_aid(world, household, **facts):
    """Aid another helper gave meanwhile, on the household's chain (written by the ledger, the only writer)."""
    from datetime import date

    from marketplace.ledger import service as ledger

    with world.tx() as s:
        return ledger.append(s, household, source="charity", category="education", title="秋季学期学费",
                             occurred_on=date.today(), organization_id=world.org_id, amount_fen=100000, **facts)


def stage_evidence(world, user_id, pledge_id, *, confirm=True):
    """What the organisation does before submitting: the photos the need's form requires, staged through
    World.attach_evidence, and (`confirm`) the household's code from the delivery slip."""
    from marketplace.needs.models import Need
    from marketplace.pledges.models import Pledge

    with world.tx() as s:
        row, user = s.get(Pledge, pledge_id), world.user(s, user_id)
        files = world.attach_evidence(s, user, s.get(Need, row.need_id), pledge=row)
        if confirm:
            world.confirm_delivery(s, user, pledge=row)
        return files


def submit_evidence(world, user_id, pledge_id, summary="已将善款转入学校账户"):
    """Evidence of a pledge submitted as the organisation would: files staged first (while still pledged)."""
    from datetime import date

    from marketplace.pledges import review
    from marketplace.pledges.models import Pledge

    with world.tx() as s:
        pledged = s.get(Pledge, pledge_id).status == "pledged"
    if pledged:
        stage_evidence(world, user_id, pledge_id)
    with world.tx() as s:
        return review.submit(s, world.user(s, user_id), s.get(Pledge, pledge_id), review.PledgeEvidence(date.today(), summary))
