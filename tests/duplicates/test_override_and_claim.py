"""Posting despite a warning needs a 一事一议 reason, which lands in the history and on the chain; an exact
duplicate of verified aid cannot be claimed; a softer one is shown to the claimant."""

from datetime import date, timedelta

import pytest
from duplicate_support import entry
from sqlalchemy import select

from marketplace.duplicates.check import DuplicateWarning
from marketplace.errors import Conflict, Invalid
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.needs import service as needs
from marketplace.needs.models import Need, NeedHistory
from support import login, post

TODAY = date.today()
REASON = "原电暖器已损坏，村委会核实"


def goods(**extra) -> needs.NeedInput:
    return needs.NeedInput(category="goods", form="goods", title="冬季取暖电暖器一台", description="老人独居，冬季取暖困难。",
                           urgency="soon", deadline=TODAY + timedelta(days=20), target_quantity=1, unit="台",
                           item_key="电暖器", **extra)


def test_an_override_is_recorded_in_the_history_and_on_the_chain(world):
    household = world.household()
    entry(world, household, category="goods", title="电暖器", occurred_on=TODAY - timedelta(days=40), item_key="电暖器",
          source="government")
    with world.tx() as s:
        staff = world.user(s, world.poster)
        with pytest.raises(DuplicateWarning) as warning:
            needs.create_need(s, staff, household, goods(), publish=True)
        assert warning.value.matches[0].who == "政府" and warning.value.status == 409
        with pytest.raises(Invalid) as short:
            needs.create_need(s, staff, household, goods(override_reason="需要"), publish=True)
        assert short.value.field == "override_reason"
    need = world.need("verified", household=household, category="goods", form="goods", title="冬季取暖电暖器一台",
                      item_key="电暖器", override_reason=REASON)
    with world.tx() as s:
        assert s.get(Need, need.id).override_reason == REASON
        created = s.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id).order_by(NeedHistory.id)).first()
        assert created.reason.startswith(f"一事一议：{REASON}") and "电暖器" in created.reason
        verified = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert verified.note == f"一事一议：{REASON}" and verified.item_key == "电暖器"
        assert first_break(s) is None


def test_the_rule_facts_are_copied_to_the_chain_and_hashed(world):
    from sqlalchemy import text

    household = world.household()
    need = world.need("verified", household=household, member_ref="子女1", period_start=date(2026, 9, 1),
                      period_end=date(2027, 1, 31))
    with world.tx() as s:
        e = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        assert (e.member_ref, e.period_start, e.period_end) == ("子女1", date(2026, 9, 1), date(2027, 1, 31))
        s.execute(text("UPDATE ledger_entry SET member_ref = '子女2'"))
    with world.tx() as s:
        assert "哈希" in first_break(s).problem


def _tuition_claimable_after_verified_aid(world):
    household = world.household()
    term = {"period_start": date(2026, 9, 1), "period_end": date(2027, 1, 31), "member_ref": "子女1"}
    need = world.need("open", household=household, **term)
    # Meanwhile another helper's tuition for the same child and term was verified.
    entry(world, household, category="education", title="秋季学期学费", occurred_on=TODAY, organization_id=world.org_id,
          **term)
    return need


def test_an_exact_duplicate_of_verified_aid_cannot_be_claimed(world):
    from marketplace.claims import service as claims

    need = _tuition_claimable_after_verified_aid(world)
    with world.tx() as s:
        with pytest.raises(Conflict) as refused:
            claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
        assert "该户同期已获得同类帮扶" in refused.value.message and "秋季学期学费" in refused.value.message


def test_claiming_an_exact_duplicate_through_the_page_gives_409(client, world):
    need = _tuition_claimable_after_verified_aid(world)
    login(client, "member@charity.org.cn")
    response = post(client, f"/needs/{need.id}/claim", page=f"/needs/{need.id}")
    assert response.status_code == 409
    assert "该户同期已获得同类帮扶" in response.get_data(as_text=True)
    with world.tx() as s:
        assert s.get(Need, need.id).status == "open"


def test_a_soft_match_is_shown_to_the_claimant_who_may_still_claim(client, world):
    household = world.household()
    need = world.need("open", household=household, category="emergency", title="突发火灾后的生活应急")
    entry(world, household, category="emergency", title="临时救助", source="government", occurred_on=TODAY - timedelta(days=5))
    login(client, "member@charity.org.cn")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "该户已有以下同类帮扶" in page and "临时救助" in page and "政府" in page
    assert post(client, f"/needs/{need.id}/claim", page=f"/needs/{need.id}").status_code == 303
    anonymous = client.application.test_client().get(f"/needs/{need.id}").get_data(as_text=True)
    assert "临时救助" not in anonymous


def _form(**overrides):
    data = {"category": "goods", "form": "goods", "title": "冬季取暖电暖器一台", "description": "老人独居，冬季取暖困难。",
            "urgency": "soon", "source": "window", "deadline": (TODAY + timedelta(days=20)).isoformat(), "target_amount": "",
            "target_quantity": "1", "unit": "台", "item_key": "电暖器", "action": "publish"}
    data.update(overrides)
    return data


def test_posting_through_the_page_warns_with_the_matches_and_posts_only_with_a_reason(client, world):
    household = world.household()
    entry(world, household, category="goods", title="冬季取暖电暖器", occurred_on=TODAY - timedelta(days=10),
          item_key="电暖器", organization_id=world.org_id)
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    warned = post(client, page, _form(), page=page)
    body = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert "可能重复救助" in body and "冬季取暖电暖器" in body and "涡阳县慈善协会" in body
    assert (TODAY - timedelta(days=10)).isoformat() in body
    assert "仍然发布（须填写一事一议理由）" in body and 'name="override_reason"' in body
    with world.tx() as s:
        assert s.scalars(select(Need)).all() == []
    posted = post(client, page, _form(override_reason=REASON), page=page)
    assert posted.status_code == 303
    with world.tx() as s:
        need = s.scalars(select(Need)).one()
        assert need.status == "open" and need.override_reason == REASON and need.item_key == "电暖器"
    detail = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "一事一议理由" in detail and REASON in detail


def test_publishing_a_draft_checks_again(world):
    household = world.household()
    draft = world.need("draft", household=household, category="goods", form="goods", title="冬季取暖电暖器一台",
                       item_key="电暖器")
    entry(world, household, category="goods", title="电暖器", occurred_on=TODAY, item_key="电暖器", source="government")
    with world.tx() as s, pytest.raises(DuplicateWarning):
        needs.publish(s, world.user(s, world.poster), s.get(Need, draft.id))
