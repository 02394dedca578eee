"""A pledge's evidence fits its need: money pledges need a receipt, goods pledges a delivery photo, and the
household's code entered with it is checked in the same submission (a wrong one saves nothing)."""

from datetime import date

import pytest
from pledge_support import pledge, stage_evidence

from marketplace.confirmation import service as confirmation
from marketplace.errors import Invalid
from marketplace.pledges import review
from marketplace.pledges.models import Pledge


def _submit(world, pledge_id, code=None):
    with world.tx() as s:
        return review.submit(s, world.user(s, world.charity), s.get(Pledge, pledge_id),
                             review.PledgeEvidence(date.today(), "已交付并取得回执", confirmation_code=code))


@pytest.mark.parametrize(("form", "amount", "missing"), [("money", 100000, "收据或转账凭证"), ("goods", 2, "交付照片")])
def test_a_pledge_without_the_file_its_form_requires_is_refused(world, form, amount, missing):
    n = world.need("open", form=form)
    p = pledge(world, world.charity, n.id, amount)
    with pytest.raises(Invalid) as raised:
        _submit(world, p.id)
    assert raised.value.field == "files" and raised.value.message.startswith(f"还缺少：{missing}")
    with world.tx() as s:
        assert s.get(Pledge, p.id).status == "pledged"
    stage_evidence(world, world.charity, p.id, confirm=False)
    assert _submit(world, p.id).status == "submitted"


def test_a_wrong_code_with_a_pledges_evidence_saves_nothing_and_the_right_one_confirms(world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    stage_evidence(world, world.charity, p.id, confirm=False)
    with world.tx() as s:
        code = confirmation.slip_for(s, pledge=s.get(Pledge, p.id)).code
    with pytest.raises(Invalid) as raised:
        _submit(world, p.id, "000000" if code != "000000" else "111111")
    assert raised.value.field == "confirmation_code"
    with world.tx() as s:
        assert s.get(Pledge, p.id).status == "pledged"
    _submit(world, p.id, code)
    with world.tx() as s:
        assert s.get(Pledge, p.id).status == "submitted"
        assert confirmation.slip_for(s, pledge=s.get(Pledge, p.id)).confirmed_via == "code"
