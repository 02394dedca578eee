"""Claim discipline: the stale-claim quota, one extension, and transfers the receiver must accept (or that
lapse after 72 hours); every step lands in the need's history."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.auth.service import create_user
from marketplace.claims import discipline
from marketplace.claims import service as claims
from marketplace.claims.models import Claim, ClaimTransfer
from marketplace.errors import Conflict, Forbidden
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need, NeedHistory
from marketplace.organizations.models import Organization
from support import PASSWORD, login, post


def _second_org(world, status="approved"):
    with world.tx() as s:
        org = Organization(name="蒙城县爱心互助会" if status == "approved" else "蒙城县待审互助会",
                           uscc=f"51341622MJ000000{'9X' if status == 'approved' else '8Y'}", region_code="341622",
                           status=status)
        s.add(org)
        s.flush()
        member = create_user(s, email=f"member@{status}.mengcheng.org.cn", password=PASSWORD, display_name="互助会",
                             role="charity", organization_id=org.id)
        return org.id, member.id


def _age(world, need_id, days):
    with world.tx() as s:
        s.execute(update(Claim).where(Claim.need_id == need_id).values(claimed_at=utcnow() - timedelta(days=days)))


def _history(world, need_id):
    with world.tx() as s:
        return [h.reason for h in s.scalars(select(NeedHistory).where(NeedHistory.need_id == need_id)
                                            .order_by(NeedHistory.id))]


def test_an_organization_sitting_on_old_claims_cannot_claim_more(world):
    old = [world.need("claimed", household=world.household(), title=f"旧认领需求{i}号") for i in range(2)]
    for need in old:
        _age(world, need.id, 9)
    fresh = world.need("open", household=world.household(), title="新发布的需求")
    with world.tx() as s, pytest.raises(Conflict) as refused:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, fresh.id), 7, stale_limit=1)
    assert "2项认领超过7天仍未完成" in refused.value.message
    assert "旧认领需求0号" in refused.value.message and "旧认领需求1号" in refused.value.message
    with world.tx() as s:
        claims.release(s, world.user(s, world.charity), s.scalars(select(Claim).where(Claim.need_id == old[0].id)).one(),
                       "人手不足")
    with world.tx() as s:
        claim = claims.claim_need(s, world.user(s, world.charity), s.get(Need, fresh.id), 7, stale_limit=1)
    assert claim.status == "active"


def test_the_claim_page_names_the_claims_to_close_first(app, client, world):
    app.config["CLAIM_STALE_LIMIT"] = 0
    old = world.need("claimed", household=world.household(), title="半年前认领的助学金")
    _age(world, old.id, 30)
    fresh = world.need("open", household=world.household(), title="新发布的助学金")
    login(client, "member@charity.org.cn")
    refused = post(client, f"/needs/{fresh.id}/claim", page=f"/needs/{fresh.id}")
    assert refused.status_code == 409
    assert "半年前认领的助学金" in refused.get_data(as_text=True)


def test_a_claim_is_extended_once_and_the_history_says_why(world):
    need = world.need("claimed")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        claims.extend(s, world.user(s, world.charity), claim, "等待学校开具收费证明")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        with pytest.raises(Conflict):
            claims.extend(s, world.user(s, world.charity), claim, "再等等")
    assert "认领延期7天：等待学校开具收费证明" in _history(world, need.id)


def test_a_transfer_takes_effect_only_when_the_receiver_accepts(app, client, world):
    org_b, member_b = _second_org(world)
    need = world.need("claimed", title="卫生间扶手安装")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        transfer = discipline.request_transfer(s, world.user(s, world.charity), claim, org_b, "本会施工队人手不足")
        assert claim.organization_id == world.org_id  # nothing moves before acceptance
    login(client, "member@approved.mengcheng.org.cn")
    page = client.get("/my/claims").get_data(as_text=True)
    assert "转给本组织的认领" in page and "卫生间扶手安装" in page and "本会施工队人手不足" in page
    accepted = post(client, f"/my/transfers/{transfer.id}/accept", page="/my/claims")
    assert accepted.status_code == 303
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        assert (claim.organization_id, claim.claimant_id, claim.status) == (org_b, member_b, "active")
        assert s.get(ClaimTransfer, transfer.id).status == "accepted"
    history = _history(world, need.id)
    assert any("申请转交给「蒙城县爱心互助会」" in h for h in history if h)
    assert "「蒙城县爱心互助会」接受转交，接手此认领" in history
    # The former holder can no longer act on it; the new one can.
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        with pytest.raises(Forbidden):
            claims.start(s, world.user(s, world.charity), claim)
        claims.start(s, world.user(s, member_b), claim)


def test_an_unanswered_transfer_lapses_after_72_hours_and_the_claim_stays(app, world):
    from marketplace.worker import run_housekeeping

    org_b, member_b = _second_org(world)
    need = world.need("claimed")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        transfer = discipline.request_transfer(s, world.user(s, world.charity), claim, org_b, "转交试试")
        assert transfer.expires_at - transfer.requested_at == timedelta(hours=72)
    run_housekeeping(app)
    with world.tx() as s:
        assert s.get(ClaimTransfer, transfer.id).status == "requested"  # not yet due
        s.execute(update(ClaimTransfer).values(expires_at=utcnow() - timedelta(minutes=1)))
    run_housekeeping(app)
    with world.tx() as s:
        assert s.get(ClaimTransfer, transfer.id).status == "lapsed"
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        assert claim.organization_id == world.org_id
        with pytest.raises(Conflict):
            discipline.accept_transfer(s, world.user(s, member_b), s.get(ClaimTransfer, transfer.id), 7, 3)
    assert any("已失效" in (h or "") for h in _history(world, need.id))


def test_transfers_go_only_to_approved_organizations_one_at_a_time(world):
    pending_org, _ = _second_org(world, status="pending")
    approved_org, member_b = _second_org(world, status="approved")
    need = world.need("claimed")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        charity = world.user(s, world.charity)
        with pytest.raises(Forbidden):
            discipline.request_transfer(s, charity, claim, pending_org, "转交给待审核组织")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        first = discipline.request_transfer(s, world.user(s, world.charity), claim, approved_org, "第一次转交")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        with pytest.raises(Conflict):
            discipline.request_transfer(s, world.user(s, world.charity), claim, approved_org, "第二次转交")
    with world.tx() as s:
        with pytest.raises(Forbidden):  # only the receiving organisation decides
            discipline.accept_transfer(s, world.user(s, world.charity2), s.get(ClaimTransfer, first.id), 7, 3)
        discipline.decline_transfer(s, world.user(s, member_b), s.get(ClaimTransfer, first.id), "本会不做此类")
    assert "接收组织谢绝转交：本会不做此类" in _history(world, need.id)
