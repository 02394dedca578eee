"""Partial pledges: several organisations share a money or goods need, the sum never passes the target,
the need stays open until covered, and who may pledge."""

import pytest
from pledge_support import TARGET_FEN, need, pledge, second_org, verified_aid
from sqlalchemy import select

from marketplace.claims import service as claims
from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.needs.models import Need, NeedHistory
from marketplace.pledges.models import Pledge


def test_two_organisations_cover_a_need_which_stays_open_until_covered(world):
    other = second_org(world)
    n = world.need("open")
    pledge(world, world.charity, n.id, 100000)
    assert (need(world, n.id).status, need(world, n.id).pledged_fen) == ("open", 100000)
    pledge(world, other, n.id, TARGET_FEN - 100000)
    covered = need(world, n.id)
    assert (covered.status, covered.pledged_fen) == ("claimed", TARGET_FEN)
    with world.tx() as s:
        history = s.scalars(select(NeedHistory).where(NeedHistory.need_id == n.id).order_by(NeedHistory.id)).all()
        assert [(h.from_status, h.to_status) for h in history][-2:] == [("open", "open"), ("open", "claimed")]
        assert "认捐 1,000 元（涡阳县慈善协会）" in history[-2].reason
        assert "蒙城县爱心家园" in history[-1].reason and "足额" in history[-1].reason
        assert s.scalars(select(Pledge).where(Pledge.need_id == n.id)).all().__len__() == 2


def test_an_over_pledge_is_refused_with_what_remains(world):
    n = world.need("open")
    pledge(world, world.charity, n.id, 250000)
    with pytest.raises(Conflict) as refused:
        pledge(world, world.charity2, n.id, 60000)
    assert refused.value.status == 409
    assert "还差 500 元" in refused.value.message
    assert need(world, n.id).pledged_fen == 250000


def test_a_covered_need_takes_no_more_pledges_and_no_whole_claim_while_pledged(world):
    n = world.need("open")
    pledge(world, world.charity, n.id, 100000)
    with world.tx() as s, pytest.raises(Conflict) as refused:
        claims.claim_need(s, world.user(s, world.charity2), s.get(Need, n.id))
    assert "认捐剩余部分" in refused.value.message
    pledge(world, world.charity2, n.id, 200000)
    with pytest.raises(Conflict) as closed:
        pledge(world, world.charity, n.id, 1)
    assert "已认领" in closed.value.message


def test_goods_needs_are_pledged_by_quantity(world):
    n = world.need("open", form="goods", category="goods", title="冬衣五件")
    pledge(world, world.charity, n.id, 2)
    with pytest.raises(Conflict) as refused:
        pledge(world, world.charity, n.id, 4)
    assert "还差 3 件" in refused.value.message
    pledge(world, world.charity, n.id, 3)
    assert (need(world, n.id).pledged_quantity, need(world, n.id).status) == (5, "claimed")


@pytest.mark.parametrize("form", ["service", "retrofit"])
def test_service_and_retrofit_needs_are_claimed_whole(world, form):
    n = world.need("open", form=form)
    with pytest.raises(Conflict):
        pledge(world, world.charity, n.id, 100)


def test_amount_must_be_positive(world):
    n = world.need("open")
    with pytest.raises(Invalid):
        pledge(world, world.charity, n.id, 0)


@pytest.mark.parametrize("who", ["pending_member", "volunteer", "poster"])
def test_only_members_of_approved_organisations_pledge(world, who):
    n = world.need("open")
    with pytest.raises(Forbidden):
        pledge(world, getattr(world, who), n.id, 100000)
    assert need(world, n.id).pledged_fen == 0


def test_a_suspended_organisation_cannot_pledge(world):
    from marketplace.organizations.models import Organization

    n = world.need("open")
    with world.tx() as s:
        s.get(Organization, world.org_id).status = "suspended"
    with pytest.raises(Forbidden):
        pledge(world, world.charity, n.id, 100000)


def test_an_exact_duplicate_is_refused_at_pledge_time(world):
    from datetime import date

    household = world.household()
    term = {"period_start": date(2026, 9, 1), "period_end": date(2027, 1, 31), "member_ref": "子女1"}
    n = world.need("open", household=household, **term)
    verified_aid(world, household, **term)
    with pytest.raises(Conflict) as refused:
        pledge(world, world.charity, n.id, 100000)
    assert "不能重复认捐" in refused.value.message and "秋季学期学费" in refused.value.message
    assert need(world, n.id).pledged_fen == 0
