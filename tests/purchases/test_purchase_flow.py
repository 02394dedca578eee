"""政府购买服务: a project takes service needs, its provider alone claims them, and verified service counts
against the project and goes on the chain as 政府购买服务."""

from datetime import date, timedelta

import pytest
from purchase_support import assign, claim_of, deliver, other_org_member, project, service_need
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.ledger import service as ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.needs import holds
from marketplace.needs.models import Need
from marketplace.purchases import figures
from marketplace.purchases import service as purchases
from marketplace.purchases.models import PurchaseProject


def _project_row(world, project_id) -> PurchaseProject:
    with world.tx() as s:
        return s.get(PurchaseProject, project_id)


def test_an_assigned_need_is_the_providers_alone_and_its_verified_hours_count(world):
    bought = project(world, target_hours=100.0, budget_fen=10_000_00)
    need = service_need(world)
    assign(world, bought, need)
    with world.tx() as s:
        row = s.get(Need, need.id)
        assert row.purchase_project_id == bought.id and row.status == "open"
        # Volunteers and other organisations hear why, on the page and when they try.
        assert "政府购买服务" in claims.claim_refusal(s, world.user(s, world.volunteer), row)
        with pytest.raises(Conflict, match="政府购买服务"):
            claims.claim_need(s, world.user(s, world.volunteer), row)
    stranger = other_org_member(world)
    with world.tx() as s, pytest.raises(Conflict, match="承接机构"):
        claims.claim_need(s, world.user(s, stranger), s.get(Need, need.id))

    deliver(world, need, hours=6.0)

    done = _project_row(world, bought.id)
    assert (done.hours, done.households, done.spent_fen) == (6.0, 1, 60_000)
    assert claim_of(world, need).organization_id == world.org_id  # 10,000 元 / 100 h × 6 h
    with world.tx() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert (entry.funding, entry.purchase_project_id, entry.hours) == ("purchase", bought.id, 6.0)
        assert entry.organization_id == world.org_id
        assert figures.recount(s, s.get(PurchaseProject, bought.id)) == (60_000, 6.0, 1)
        assert ledger.first_break(s) is None  # funding and project are hashed: the chain still holds


def test_figures_match_a_recount_and_spending_stops_at_the_budget(world):
    bought = project(world, target_hours=10.0, budget_fen=1_000_00)
    household = world.household()
    first, second = service_need(world, household=household), service_need(world, household=household, title="独居老人助浴服务",
                                                                   override_reason="助浴与照料分次服务")
    third = service_need(world, household=world.household(region_code="341621101"))
    for need in (first, second, third):
        assign(world, bought, need)
    deliver(world, first, hours=4.0)
    deliver(world, second, hours=5.0)
    deliver(world, third, hours=3.0)
    done = _project_row(world, bought.id)
    # Two households; 12 hours against a 10-hour target: spending stops at the 1,000 元 budget.
    assert (done.hours, done.households, done.spent_fen) == (12.0, 2, 1_000_00)
    with world.tx() as s:
        assert figures.recount(s, s.get(PurchaseProject, bought.id)) == (done.spent_fen, done.hours, done.households)


def test_a_household_target_prices_each_household_once(world):
    bought = project(world, target_hours=None, target_households=4, budget_fen=2_000_00)
    household = world.household()
    for title in ("上门照料一", "上门照料二"):
        need = service_need(world, household=household, title=title, override_reason="每周照料，分次服务")
        assign(world, bought, need)
        deliver(world, need, hours=2.0)
    done = _project_row(world, bought.id)
    assert (done.households, done.spent_fen, done.hours) == (1, 500_00, 4.0)


@pytest.mark.parametrize("case", ["category", "place", "claimed", "held", "money", "other_county", "no_duty"])
def test_assigning_refuses_needs_that_do_not_fit(world, case):
    bought = project(world, categories=("care",), regions=("341621100",))
    staff = None
    if case == "category":
        need, error = service_need(world, category="psychological"), Invalid
    elif case == "place":
        need, error = service_need(world, household=world.household(region_code="341621101")), Invalid
    elif case == "claimed":
        need, error = world.need("claimed", form="service", category="care"), Conflict
    elif case == "held":
        need, error = service_need(world), Conflict
        with world.tx() as s:
            row = s.get(Need, need.id)
            assert holds.place(s, row, world.org_id, row.created_at + timedelta(days=5), "referral")
    elif case == "money":
        need, error = world.need("open", form="money", category="care"), Invalid
    elif case == "other_county":
        need, error, staff = service_need(world), Forbidden, world.other_county
    else:
        need, error = service_need(world), Forbidden
        staff = world.staff("noduty@guoyang.gov.cn", duties=("need_posting",))
    with pytest.raises(error):
        assign(world, bought, need, staff=staff)
    with world.tx() as s:
        assert s.get(Need, need.id).purchase_project_id is None


def test_a_need_cannot_be_assigned_twice_and_leaves_only_while_unclaimed(world):
    bought = project(world)
    other = project(world, title="涡阳县第二个养老项目")
    need = service_need(world)
    assign(world, bought, need)
    with pytest.raises(Conflict):
        assign(world, other, need)
    with world.tx() as s:
        purchases.unassign(s, world.user(s, world.poster), s.get(PurchaseProject, bought.id), s.get(Need, need.id))
        assert s.get(Need, need.id).purchase_project_id is None
    assign(world, bought, need)
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
    with world.tx() as s, pytest.raises(Conflict):
        purchases.unassign(s, world.user(s, world.poster), s.get(PurchaseProject, bought.id), s.get(Need, need.id))


@pytest.mark.parametrize("case", ["title", "provider", "pending_provider", "budget", "dates", "target", "categories",
                                  "regions", "other_county_place", "no_duty"])
def test_creating_a_project_checks_every_field(world, case):
    from marketplace.organizations.models import Organization

    staff = None
    kw = {}
    if case == "title":
        kw["title"] = "项目"
    elif case == "provider":
        kw["provider_id"] = 999999
    elif case == "pending_provider":
        with world.tx() as s:
            kw["provider_id"] = s.scalars(select(Organization.id).where(Organization.status == "pending")).first()
    elif case == "budget":
        kw["budget_fen"] = 0
    elif case == "dates":
        kw["ends_on"] = date.today() - timedelta(days=1)
    elif case == "target":
        kw["target_hours"] = None
    elif case == "categories":
        kw["categories"] = ("nonsense",)
    elif case == "regions":
        kw["regions"] = ()
    elif case == "other_county_place":
        kw["regions"] = ("341622",)
    else:
        staff = world.staff("noduty2@guoyang.gov.cn", duties=("verification",))
    error = Forbidden if case == "no_duty" else Invalid
    with pytest.raises(error):
        project(world, staff=staff, **kw)
    with world.tx() as s:
        assert s.scalars(select(PurchaseProject)).all() == []
