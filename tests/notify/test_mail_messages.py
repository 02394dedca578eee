"""Each change queues the right message to the right people, in their language, in the change's own
transaction (a rollback queues nothing)."""

import pytest
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.auth.service import create_user
from marketplace.claims import discipline
from marketplace.claims import service as claims
from marketplace.claims.models import Claim, ClaimTransfer
from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.notify.outbox_mail import opened
from marketplace.organizations import service as vetting
from marketplace.organizations.models import Organization
from marketplace.outbox.models import OutboxMessage
from support import PASSWORD


def mails(tx, kind):
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail", OutboxMessage.kind == kind)
                         .order_by(OutboxMessage.id)).all()
        return [dict(opened(row.payload), key=row.idempotency_key) for row in rows]  # as the worker sends it


def set_locale(tx, user_id, locale="en"):
    with tx() as s:
        s.get(AppUser, user_id).locale = locale


def second_org(world):
    with world.tx() as s:
        org = Organization(name="蒙城县爱心互助会", uscc="51341622MJ0000003B", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        member = create_user(s, email="admin@mengcheng.org.cn", password=PASSWORD, display_name="蒙城",
                             role="charity", organization_id=org.id)
        member.org_role = "administrator"
        return org.id, member.id


def test_vetting_decisions_mail_the_organisations_administrators_in_their_language(world, tx):
    with tx() as s:
        s.get(AppUser, world.pending_member).org_role = "administrator"
        pending = s.scalars(select(Organization).where(Organization.status == "pending")).one()
        org_id = pending.id
    set_locale(tx, world.pending_member, "en")
    with tx() as s:
        vetting.decide(s, world.user(s, world.poster), s.get(Organization, org_id), "approve")
    with tx() as s:
        vetting.decide(s, world.user(s, world.poster), s.get(Organization, org_id), "suspend", "年检材料未按期提交")
    approved, suspended = mails(tx, "org.approved"), mails(tx, "org.suspended")
    assert [m["to"] for m in approved] == ["member@pending.org.cn"]
    assert approved[0]["subject"].startswith("[Shanqiao] Organisation approved") and "待审核公益社" in approved[0]["text"]
    assert "年检材料未按期提交" in suspended[0]["text"] and "年检材料未按期提交" in suspended[0]["html"]
    assert "http://127.0.0.1:5000/organization" in suspended[0]["text"]
    assert approved[0]["staff"] is False


def test_a_rejection_carries_its_reason_in_chinese_by_default(world, tx):
    with tx() as s:
        org = Organization(name="新成立公益社", uscc="51341621MJ0000004X", region_code="341621")
        s.add(org)
        s.flush()
        create_user(s, email="founder@new.org.cn", password=PASSWORD, display_name="创办人", role="charity",
                    organization_id=org.id)
        org_id = org.id
    with tx() as s:
        vetting.decide(s, world.user(s, world.poster), s.get(Organization, org_id), "reject", "登记证书与名称不符")
    [mail] = mails(tx, "org.rejected")
    assert mail["to"] == "founder@new.org.cn" and mail["subject"].startswith("【善桥】组织登记未通过审核")
    assert "登记证书与名称不符" in mail["text"] and "善桥" in mail["text"]


def test_a_claim_tells_the_posting_staff_member(world, tx):
    need = world.need("claimed", title="助学金缺口")
    [mail] = mails(tx, "need.claimed")
    assert mail["to"] == "poster@guoyang.gov.cn" and mail["staff"] is True
    assert "助学金缺口" in mail["subject"] and "涡阳县慈善协会" in mail["text"]
    assert f"/needs/{need.id}" in mail["text"] and mail["key"].startswith("need.claimed:")


def test_a_rolled_back_claim_queues_nothing(world, tx):
    need = world.need("open")
    with pytest.raises(RuntimeError), tx() as s:
        claims.claim_need(s, world.user(s, world.charity), s.get(Need, need.id))
        assert len(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "need.claimed")).all()) == 1
        raise RuntimeError("the request failed after the claim")
    assert mails(tx, "need.claimed") == []


def test_submitted_evidence_goes_to_every_verifier_of_the_region_but_the_poster(world, tx):
    world.need("submitted", title="大学新生学费")
    recipients = {m["to"] for m in mails(tx, "evidence.submitted")}
    # county staff, the township's staff and the city above them; not the poster, not the other county
    assert recipients == {"verifier@guoyang.gov.cn", "chudian@guoyang.gov.cn", "city@bozhou.gov.cn"}


def test_verification_and_rejection_tell_the_fulfiler(world, tx):
    set_locale(tx, world.charity, "en")
    world.need("verified", title="冬季取暖补贴")
    [verified] = mails(tx, "fulfilment.verified")
    assert verified["to"] == "member@charity.org.cn" and "冬季取暖补贴" in verified["subject"]
    assert verified["subject"].startswith("[Shanqiao] Fulfilment verified")
    need = world.need("submitted", title="高中助学金")
    with tx() as s:
        row = s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()
        fulfilment.reject(s, world.user(s, world.verifier), row, "收据金额与凭证不符")
    [rejected] = mails(tx, "fulfilment.rejected")
    assert rejected["to"] == "member@charity.org.cn" and "收据金额与凭证不符" in rejected["text"]


def test_transfers_tell_the_organisations_involved(world, tx):
    org_b, admin_b = second_org(world)
    with tx() as s:
        s.get(AppUser, world.charity).org_role = "administrator"
    need = world.need("claimed", title="卫生间扶手安装")
    with tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        transfer = discipline.request_transfer(s, world.user(s, world.charity), claim, org_b, "施工队人手不足")
    [requested] = mails(tx, "transfer.requested")
    assert requested["to"] == "admin@mengcheng.org.cn" and "施工队人手不足" in requested["text"]
    with tx() as s:
        discipline.accept_transfer(s, world.user(s, admin_b), s.get(ClaimTransfer, transfer.id), 7, 3)
    [accepted] = mails(tx, "transfer.accepted")
    assert accepted["to"] == "member@charity.org.cn" and "蒙城县爱心互助会" in accepted["text"]


def test_a_lapsed_transfer_tells_both_organisations(world, tx):
    org_b, _ = second_org(world)
    with tx() as s:
        s.get(AppUser, world.charity).org_role = "administrator"
    need = world.need("claimed")
    with tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
        transfer = discipline.request_transfer(s, world.user(s, world.charity), claim, org_b, "转交试试")
        transfer.expires_at = utcnow()
    with tx() as s:
        assert discipline.lapse_overdue(s) == 1
        assert discipline.lapse_overdue(s) == 0
    assert {m["to"] for m in mails(tx, "transfer.lapsed")} == {"member@charity.org.cn", "admin@mengcheng.org.cn"}


def test_unknown_kinds_are_refused(world, tx):
    from marketplace.notify import messages

    with tx() as s, pytest.raises(ValueError):
        messages.send(s, "no.such.kind", "x@y.cn", {}, "k")


def test_a_pledge_tells_the_posting_staff_member(world, tx):
    from marketplace.pledges import service as pledges

    need = world.need("open", title="助学金部分认捐")
    with tx() as s:
        row = pledges.pledge(s, world.user(s, world.charity), s.get(Need, need.id), 100000)
    [mail] = mails(tx, "need.pledged")
    assert mail["to"] == "poster@guoyang.gov.cn" and mail["key"] == f"need.pledged:{row.id}"
    assert "助学金部分认捐" in mail["subject"] and "涡阳县慈善协会" in mail["text"] and "1,000 元" in mail["text"]
