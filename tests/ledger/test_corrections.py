"""Corrections are new entries naming the one they correct; the original is never touched."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.ledger import corrections
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append, first_break
from marketplace.registry.models import Household


def _paid(world, household):
    with world.tx() as s:
        return append(s, s.get(Household, household.id), source="government", category="medical",
                      title="大病医疗救助", amount_fen=120000, occurred_on=date(2026, 6, 1))


def test_a_correction_is_appended_and_the_original_kept(world):
    household = world.household(name="张桂兰")
    paid = _paid(world, household)
    with world.tx() as s:
        fix = corrections.correct(s, world.user(s, world.poster), s.get(Household, household.id), paid.id,
                                  corrections.CorrectionInput("报销单据金额有误", amount_fen=100000))
        corrections.correct(s, world.user(s, world.poster), s.get(Household, household.id), fix.id,
                            corrections.CorrectionInput("该笔救助未实际发放", void=True))
    with world.tx() as s:
        original, first, second = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert (original.amount_fen, original.kind, original.entry_hash) == (120000, "aid", paid.entry_hash)
        assert (first.kind, first.corrects_id, first.amount_fen, first.note) == (
            "correction", original.id, 100000, "报销单据金额有误")
        assert first.occurred_on == original.occurred_on and first.recorded_by_id == world.poster
        assert second.corrects_id == first.id and second.amount_fen == 0 and corrections.is_void(second)
        assert second.title == "作废：大病医疗救助"
        assert first_break(s) is None


def test_correction_rules(world):
    household = world.household(name="张桂兰")
    paid = _paid(world, household)
    elsewhere = _paid(world, world.household("341622100"))
    with world.tx() as s:
        staff, h = world.user(s, world.poster), s.get(Household, household.id)
        with pytest.raises(Invalid, match="原因"):
            corrections.correct(s, staff, h, paid.id, corrections.CorrectionInput(" ", void=True))
        with pytest.raises(Invalid, match="或选择作废"):
            corrections.correct(s, staff, h, paid.id, corrections.CorrectionInput("金额有误"))
        with pytest.raises(Invalid, match="张桂兰"):
            corrections.correct(s, staff, h, paid.id, corrections.CorrectionInput("张桂兰说未收到", void=True),
                                vault=world.vault)
        with pytest.raises(Forbidden):
            corrections.correct(s, world.user(s, world.other_county), h, paid.id,
                                corrections.CorrectionInput("金额有误", amount_fen=1000))
        with pytest.raises(Exception, match="不存在"):
            corrections.correct(s, staff, h, elsewhere.id, corrections.CorrectionInput("金额有误", void=True))
        corrections.correct(s, staff, h, paid.id, corrections.CorrectionInput("金额有误", amount_fen=1000))
        with pytest.raises(Conflict):
            corrections.correct(s, staff, h, paid.id, corrections.CorrectionInput("再次更正", void=True))
