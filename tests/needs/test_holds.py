"""A need held for one organisation (a department it was routed to, an offer's organisation it was referred
to) cannot be claimed or pledged by anyone else until the hold ends; the public listing says why; two holds
cannot both be placed; a purchase project's need is its provider's alone."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from marketplace.auth.service import create_user
from marketplace.claims import service as claims
from marketplace.errors import Conflict
from marketplace.modelbase import utcnow
from marketplace.needs import holds
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.pledges import service as pledges
from marketplace.purchases.models import PurchaseProject
from support import PASSWORD


@pytest.fixture
def other(world):
    """A member of a second approved organisation: (user id, organisation id)."""
    with world.tx() as s:
        org = Organization(name="蒙城县爱心家园", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        user = create_user(s, email="member@aixin.org.cn", password=PASSWORD, display_name="aixin", role="charity",
                           organization_id=org.id)
        return user.id, org.id


def _hold(world, need_id, org_id, *, days=3, kind="referral") -> bool:
    with world.tx() as s:
        return holds.place(s, s.get(Need, need_id), org_id, utcnow() + timedelta(days=days), kind)


def test_only_the_holder_may_claim_or_pledge_until_the_hold_ends(world, other, client):
    n = world.need("open", title="助学金缺口")
    assert _hold(world, n.id, world.org_id)
    other_user, _other_org = other
    with world.tx() as s, pytest.raises(Conflict, match="定向转介"):
        claims.claim_need(s, world.user(s, other_user), s.get(Need, n.id))
    with world.tx() as s, pytest.raises(Conflict, match="定向转介"):
        pledges.pledge(s, world.user(s, other_user), s.get(Need, n.id), 10000)
    page = client.get(f"/needs/{n.id}").get_data(as_text=True)
    assert "已定向转介" in page
    assert "已定向转介" in client.get("/needs").get_data(as_text=True)
    with world.tx() as s:  # the holder's member claims it
        claim = claims.claim_need(s, world.user(s, world.charity), s.get(Need, n.id))
        assert claim.organization_id == world.org_id


def test_a_lapsed_hold_is_simply_over(world, other):
    n = world.need("open")
    assert _hold(world, n.id, world.org_id, kind="routing")
    with world.tx() as s:
        s.execute(update(Need).where(Need.id == n.id).values(held_until=utcnow() - timedelta(minutes=1)))
    other_user, _org = other
    with world.tx() as s:
        assert claims.claim_need(s, world.user(s, other_user), s.get(Need, n.id)).status == "active"


def test_a_second_hold_does_not_replace_the_first(world, other):
    n = world.need("open")
    assert _hold(world, n.id, world.org_id)
    assert not _hold(world, n.id, other[1])
    with world.tx() as s:
        need = s.get(Need, n.id)
        assert need.held_by_org_id == world.org_id and holds.held_for(need) == world.org_id


def test_a_purchase_projects_need_is_its_providers_alone(world, other):
    n = world.need("open", form="service", category="care", title="居家照料")
    other_user, other_org = other
    with world.tx() as s:
        project = PurchaseProject(title="居家养老服务", provider_id=other_org, region_code="341621",
                                  categories="care", budget_fen=1000000, starts_on=utcnow().date(),
                                  ends_on=utcnow().date() + timedelta(days=300), created_by_id=world.poster)
        s.add(project)
        s.flush()
        s.get(Need, n.id).purchase_project_id = project.id
    with world.tx() as s, pytest.raises(Conflict, match="政府购买服务"):
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, n.id))
    with world.tx() as s:
        assert claims.claim_refusal(s, world.user(s, world.volunteer), s.get(Need, n.id))
        assert claims.claim_need(s, world.user(s, other_user), s.get(Need, n.id)).organization_id == other_org
