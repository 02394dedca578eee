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
