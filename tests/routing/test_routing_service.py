"""分类推送 through the services: the most specific rule routes a new need, the department answers 已办理
(government aid on the chain, fiscal funds) or sends it back (public and claimable at once), or lets its
time lapse; nobody else may answer for a department or configure another region's rules."""

from datetime import date

import pytest
from routing_support import department, expire, rule
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.routing import rules
from marketplace.routing import service as routing
from marketplace.routing.models import NeedRouting


def routing_of(world, need_id) -> NeedRouting | None:
    with world.tx() as s:
        return routing.latest_for_need(s, need_id)


def test_working_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert routing.add_working_days(friday, 1) == date(2026, 11, 30)
    assert routing.add_working_days(friday, 5) == date(2026, 12, 4)
    assert routing.local_day(routing.until_for(5)) >= date.today()


def test_the_county_rule_wins_over_the_city_rule_and_only_for_its_category(world):
    county_bureau, member = department(world)
    city_bureau, _ = department(world, "亳州市教育局", "341600")
    rule(world, city_bureau, region="341600")
    rule(world, county_bureau, region="341621", days=5)
    in_guoyang = world.need("open", household=world.household("341621100"))
    in_mengcheng = world.need("open", household=world.household("341622100"), poster=world.other_county)
    medical = world.need("open", category="medical", household=world.household("341621100"), title="门诊自付医疗费用")
    routed = routing_of(world, in_guoyang.id)
    assert routed.organization_id == county_bureau
    assert routing_of(world, in_mengcheng.id).organization_id == city_bureau  # no county rule there
    assert routing_of(world, medical.id) is None
    with world.tx() as s:
        need = s.get(Need, in_guoyang.id)
        assert need.hold_kind == "routing" and need.held_by_org_id == county_bureau and need.status == "open"
        mail = [opened(m.payload) for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "need.routed"))]
        member_email = world.user(s, member).email
        [told] = [m for m in mail if m["to"] == member_email]
        assert "涡阳县教育局" in told["text"] and f"/department/needs/{routed.id}" in told["text"]


def test_a_routed_need_cannot_be_claimed_by_a_charity_meanwhile(world):
    org, _ = department(world)
    rule(world, org)
    need = world.need("open")
    with world.tx() as s, pytest.raises(Conflict, match="政府部门办理"):
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))


def test_a_disabled_rule_or_a_suspended_department_routes_nothing(world):
    org, _ = department(world)
    rule_id = rule(world, org)
    with world.tx() as s:
        rules.set_active(s, world.user(s, world.city), s.get(rules.RoutingRule, rule_id), False)
    assert routing_of(world, world.need("open").id) is None
    suspended, _ = department(world, "涡阳县残联", dept="disabled", status="suspended")
    with world.tx() as s, pytest.raises(Invalid, match="已通过审核"):
        rules.create(s, world.user(s, world.city), rules.RuleInput("accessibility", "341621", suspended, 5))


def test_handled_puts_government_aid_on_the_chain_and_closes_the_need(world):
    org, member = department(world)
    rule(world, org)
    need = world.need("open", period_start=date(2026, 9, 1), period_end=date(2027, 1, 31), member_ref="子女1")
    routed = routing_of(world, need.id)
    with world.tx() as s:
        entry = routing.handle(s, world.user(s, member), s.get(NeedRouting, routed.id),
                               routing.Handled(item="免除高中学费", amount_fen=150000, occurred_on=date.today()))
        entry_id = entry.id
    with world.tx() as s:
        entry = s.get(LedgerEntry, entry_id)
        assert (entry.source, entry.funding, entry.title, entry.amount_fen) == ("government", "fiscal", "免除高中学费", 150000)
        assert entry.organization_id == org and entry.need_id == need.id and entry.member_ref == "子女1"
        closed = s.get(Need, need.id)
        assert closed.status == "cancelled" and closed.held_by_org_id is None
        assert s.get(NeedRouting, routed.id).status == "handled"
        with pytest.raises(Conflict):  # answered once only
            routing.decline(s, world.user(s, member), s.get(NeedRouting, routed.id), "not_ours", "不属于本部门职责")


def test_declined_the_need_is_public_and_a_charity_can_claim_it(world):
    org, member = department(world)
    rule(world, org)
    need = world.need("open")
    routed = routing_of(world, need.id)
    with world.tx() as s, pytest.raises(Invalid) as refused:
        routing.decline(s, world.user(s, member), s.get(NeedRouting, routed.id), "no_policy", "无")
    assert refused.value.field == "reason"
    with world.tx() as s:
        routing.decline(s, world.user(s, member), s.get(NeedRouting, routed.id), "no_policy", "本县没有对应的资助政策")
    with world.tx() as s:
        claim = claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
        assert claim.organization_id == world.org_id
        assert s.get(NeedRouting, routed.id).status == "declined"


def test_unanswered_the_hold_lapses_and_the_worker_marks_it(world):
    org, member = department(world)
    rule(world, org)
    need = world.need("open")
    expire(world, need.id)
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))  # the hold is over by itself
    with world.tx() as s:
        assert routing.lapse_overdue(s) == 1
        routed = routing.latest_for_need(s, need.id)
        assert routed.status == "lapsed"
        with pytest.raises(Conflict):
            routing.handle(s, world.user(s, member), routed,
                           routing.Handled(item="免除学费", amount_fen=None, occurred_on=date.today()))


def test_another_department_cannot_see_or_answer_and_a_charity_is_no_department(world):
    org, _ = department(world)
    _, stranger = department(world, "涡阳县卫健委", dept="health")
    rule(world, org)
    routed = routing_of(world, world.need("open").id)
    with world.tx() as s:
        with pytest.raises(NotFound):
            routing.routed_to(s, world.user(s, stranger), routed.id)
        with pytest.raises(Forbidden):
            routing.handle(s, world.user(s, stranger), s.get(NeedRouting, routed.id),
                           routing.Handled(item="免除学费", amount_fen=None, occurred_on=date.today()))
        with pytest.raises(Forbidden):
            routing.work(s, world.user(s, world.charity), {})


def test_rules_are_configured_only_inside_ones_region_at_county_level_and_up(world):
    org, _ = department(world)
    mengcheng, _ = department(world, "蒙城县教育局", "341622")
    rule_id = rule(world, org)
    with world.tx() as s:
        other = world.user(s, world.other_county)
        with pytest.raises(NotFound):
            rules.get_rule(s, other, rule_id)
        with pytest.raises(Invalid) as wrong_place:
            rules.create(s, other, rules.RuleInput("education", "341621", mengcheng, 5))
        assert wrong_place.value.field == "region_code"
        with pytest.raises(Forbidden):
            rules.create(s, world.user(s, world.township_staff), rules.RuleInput("education", "341621", org, 5))
        with pytest.raises(Conflict):  # one active rule per place and category
            rules.create(s, world.user(s, world.poster), rules.RuleInput("education", "341621", org, 3))
        with pytest.raises(Invalid) as far:  # a Mengcheng bureau cannot be sent Guoyang's needs
            rules.create(s, world.user(s, world.city), rules.RuleInput("medical", "341621", mengcheng, 5))
        assert far.value.field == "organization_id"
