"""Each pledge is fulfilled and verified on its own, by staff other than the submitter and the poster; each
verified pledge is its own chain entry; withdrawal and rejection free the amount and reopen the need."""

from datetime import date

import pytest
from pledge_support import TARGET_FEN, need, pledge, second_org, submit_evidence
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.pledges import review, service
from marketplace.pledges.models import Pledge


def submit(world, user_id, pledge_id):
    return submit_evidence(world, user_id, pledge_id)


def verify(world, staff_id, pledge_id):
    with world.tx() as s:
        return review.verify(s, world.user(s, staff_id), s.get(Pledge, pledge_id))


def reject(world, staff_id, pledge_id, reason="凭证不清晰"):
    with world.tx() as s:
        return review.reject(s, world.user(s, staff_id), s.get(Pledge, pledge_id), reason)


def test_each_verified_pledge_is_its_own_chain_entry_and_the_need_completes(world):
    other = second_org(world)
    n = world.need("open")
    first = pledge(world, world.charity, n.id, 100000)
    submit(world, world.charity, first.id)
    verify(world, world.verifier, first.id)  # verified while the need is still open: its own part
    assert need(world, n.id).status == "open"
    second = pledge(world, other, n.id, TARGET_FEN - 100000)  # earlier part of the same need is no duplicate
    assert need(world, n.id).status == "claimed"
    submit(world, other, second.id)
    verify(world, world.city, second.id)
    assert need(world, n.id).status == "verified"
    with world.tx() as s:
        entries = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == n.id).order_by(LedgerEntry.seq)).all()
        assert [(e.amount_fen, e.source, e.category) for e in entries] == [
            (100000, "charity", "education"), (TARGET_FEN - 100000, "charity", "education")]
        assert entries[0].organization_id == world.org_id and entries[1].organization_id != world.org_id
        assert entries[1].prev_hash == entries[0].entry_hash
        assert {p.ledger_entry_id for p in s.scalars(select(Pledge))} == {e.id for e in entries}
        assert first_break(s) is None


def test_withdrawal_before_evidence_frees_the_amount_and_reopens(world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, TARGET_FEN)
    assert need(world, n.id).status == "claimed"
    with world.tx() as s, pytest.raises(Invalid):
        service.withdraw(s, world.user(s, world.charity), s.get(Pledge, p.id), " ")
    with world.tx() as s:  # another member of the same organisation may withdraw it
        service.withdraw(s, world.user(s, world.charity2), s.get(Pledge, p.id), "资金未能到位")
    reopened = need(world, n.id)
    assert (reopened.status, reopened.pledged_fen) == ("open", 0)
    pledge(world, world.charity, n.id, 50000)  # the amount is free again
    with world.tx() as s, pytest.raises(Conflict):
        service.withdraw(s, world.user(s, world.charity), s.get(Pledge, p.id), "再次撤回")


def test_withdrawal_is_refused_after_evidence_and_for_another_organisation(world):
    other = second_org(world)
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    with world.tx() as s, pytest.raises(Forbidden):
        service.withdraw(s, world.user(s, other), s.get(Pledge, p.id), "不是我的")
    submit(world, world.charity, p.id)
    with world.tx() as s, pytest.raises(Conflict):
        service.withdraw(s, world.user(s, world.charity), s.get(Pledge, p.id), "已交付")


def test_rejection_frees_the_amount_and_reopens_the_covered_need(world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, TARGET_FEN)
    submit(world, world.charity, p.id)
    with pytest.raises(Invalid):
        reject(world, world.verifier, p.id, " ")
    reject(world, world.verifier, p.id)
    reopened = need(world, n.id)
    assert (reopened.status, reopened.pledged_fen) == ("open", 0)
    with world.tx() as s:
        assert s.get(Pledge, p.id).status == "rejected"
        assert s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == n.id)).all() == []


@pytest.mark.parametrize("who", ["poster", "other_county", "charity"])
def test_four_eyes_and_region_on_verification(world, who):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    submit(world, world.charity, p.id)
    with pytest.raises(Forbidden):
        verify(world, getattr(world, who), p.id)
    with pytest.raises(Forbidden):
        reject(world, getattr(world, who), p.id)


def test_evidence_is_checked_and_only_pledged_rows_are_reviewed(world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    with pytest.raises(Conflict):
        verify(world, world.verifier, p.id)  # nothing submitted yet
    with world.tx() as s, pytest.raises(Invalid):
        review.submit(s, world.user(s, world.charity), s.get(Pledge, p.id), review.PledgeEvidence(date.today(), "好"))
    submit(world, world.charity, p.id)
    with pytest.raises(Conflict):
        submit(world, world.charity, p.id)


def test_the_queue_shows_the_region_subtree(world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    submit(world, world.charity, p.id)
    with world.tx() as s:
        assert [row.id for row, _, _ in review.queue(s, world.user(s, world.verifier)).items] == [p.id]
        assert review.queue(s, world.user(s, world.city)).total == 1
        assert review.queue(s, world.user(s, world.other_county)).items == []


def test_an_earlier_verified_part_of_the_same_need_is_not_a_duplicate(world):
    """With every fact stated, a verified pledge's entry matches its own need exactly; the next pledge on that
    need is its remainder, not a duplicate (another need for the same term would be refused)."""
    other = second_org(world)
    term = {"period_start": date(2026, 9, 1), "period_end": date(2027, 1, 31), "member_ref": "子女1"}
    n = world.need("open", **term)
    first = pledge(world, world.charity, n.id, 100000)
    submit(world, world.charity, first.id)
    verify(world, world.verifier, first.id)
    pledge(world, other, n.id, TARGET_FEN - 100000)
    assert need(world, n.id).status == "claimed"
