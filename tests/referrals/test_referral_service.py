"""双向转介 through the services: filing, the due date in working days, deciding, linking, the overdue count,
and the refusals (consent, identifiers in free text, another region's staff, a pending organisation)."""

from datetime import date

import pytest
from sqlalchemy import select, text

from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.outbox.models import OutboxMessage
from marketplace.referrals import service
from marketplace.referrals.models import FamilyReferral
from marketplace.referrals.workdays import add_working_days
from marketplace.registry.models import AccessLog
from marketplace.security.models import SecurityEvent

NAME, PHONE = "李桂兰", "13912345678"


def filing(**changes) -> service.Filing:
    data = dict(region_code="341621100", hardships=["高龄", "独居"], consent=True, consent_note="本人口头同意，网格员在场",
                description="老人独自居住，腿脚不便，冬天取暖困难，目前没有领取任何救助。", name=NAME, phone=PHONE)
    return service.Filing(**{**data, **changes})


def file_one(world, who=None, today=date(2026, 11, 20), **changes) -> int:
    with world.tx() as s:
        return service.file(s, world.user(s, who or world.volunteer), filing(**changes), world.vault, today).id


def test_due_date_counts_working_days_over_weekends():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 10) == date(2026, 12, 4)  # two weekends skipped
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # filed on a Saturday


def test_a_volunteer_files_and_staff_decide_and_the_referrer_is_told(world, engine):
    referral_id = file_one(world)
    with world.tx() as s:
        referral = s.get(FamilyReferral, referral_id)
        assert referral.status == "open" and referral.due_on == date(2026, 12, 4)
        assert referral.hardships == "高龄 独居" and referral.organization_id is None
        staff = service.for_staff(s, world.user(s, world.township_staff), referral_id, "need_posting")
        service.decide(s, world.user(s, world.township_staff), staff, "temporary", "已发放临时救助1500元", None)
    with world.tx() as s:
        referral = s.get(FamilyReferral, referral_id)
        assert (referral.status, referral.outcome, referral.decided_by_id) == ("decided", "temporary",
                                                                               world.township_staff)
        kinds = {m.kind: m for m in s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail"))}
    assert {"referral.filed", "referral.decided"} <= set(kinds)
    assert kinds["referral.decided"].payload["user_id"] == world.volunteer
    with world.tx() as s, pytest.raises(Conflict):
        service.decide(s, world.user(s, world.poster), s.get(FamilyReferral, referral_id), "dibao", None)


def test_the_name_and_phone_are_ciphertext_at_rest(world, engine):
    referral_id = file_one(world)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT name_enc, phone_enc, description FROM family_referral WHERE id = :i"),
                           {"i": referral_id}).one()
    assert NAME.encode() not in bytes(raw[0]) and PHONE.encode() not in bytes(raw[1])
    assert world.vault.decrypt(raw[0]) == NAME and world.vault.decrypt(raw[1]) == PHONE


def test_consent_is_required(world):
    with world.tx() as s, pytest.raises(Invalid) as refused:
        service.file(s, world.user(s, world.volunteer), filing(consent=False), world.vault)
    assert refused.value.field == "consent"
    with world.tx() as s, pytest.raises(Invalid) as refused:
        service.file(s, world.user(s, world.volunteer), filing(consent_note=" "), world.vault)
    assert refused.value.field == "consent_note"


@pytest.mark.parametrize("written", ["老人电话 139 1234 5678，请联系", "身份证号341621198001010025", f"{NAME}老人独居多年无人照顾"])
def test_identifiers_in_the_description_are_refused_with_where_to_put_them(world, written):
    with world.tx() as s, pytest.raises(Invalid) as refused:
        service.file(s, world.user(s, world.volunteer), filing(description=written), world.vault)
    assert refused.value.field == "description"
    assert "加密保存的联系信息栏" in refused.value.message


def test_a_bad_township_phone_or_hardship_is_named(world):
    for changes, field in (({"region_code": "341621"}, "region_code"), ({"phone": "12345"}, "phone"),
                           ({"hardships": ["很穷"]}, "hardships"), ({"hardships": []}, "hardships")):
        with world.tx() as s, pytest.raises(Invalid) as refused:
            service.file(s, world.user(s, world.volunteer), filing(**changes), world.vault)
        assert refused.value.field == field


def test_a_charity_member_refers_for_an_approved_organisation_only(world):
    referral_id = file_one(world, who=world.charity)
    with world.tx() as s:
        assert s.get(FamilyReferral, referral_id).organization_id == world.org_id
    with world.tx() as s, pytest.raises(Forbidden):
        service.file(s, world.user(s, world.pending_member), filing(), world.vault)
    with world.tx() as s, pytest.raises(Forbidden):
        service.file(s, world.user(s, world.poster), filing(), world.vault)


def test_another_county_and_another_referrer_are_refused(world):
    referral_id = file_one(world)
    with world.tx() as s:
        with pytest.raises(Forbidden):
            service.for_staff(s, world.user(s, world.other_county), referral_id)
        with pytest.raises(NotFound):
            service.own(s, world.user(s, world.charity), referral_id)
        assert service.own(s, world.user(s, world.volunteer), referral_id).id == referral_id
        assert service.overdue_count(s, world.user(s, world.other_county), date(2027, 1, 1)) == 0


def test_ineligible_needs_a_reason_and_reasons_are_scanned(world):
    referral_id = file_one(world)
    with world.tx() as s:
        referral = s.get(FamilyReferral, referral_id)
        staff = world.user(s, world.poster)
        with pytest.raises(Invalid) as refused:
            service.decide(s, staff, referral, "ineligible", "")
        assert refused.value.field == "reason"
        with pytest.raises(Invalid) as refused:
            service.decide(s, staff, referral, "ineligible", "家庭收入超标，请致电13912345678")
        assert refused.value.field == "reason"
        with pytest.raises(Invalid):
            service.decide(s, staff, referral, "rich", None)


def test_a_decision_needs_the_need_posting_duty(world):
    reader = world.staff("reader@guoyang.gov.cn", duties=())
    referral_id = file_one(world)
    with world.tx() as s, pytest.raises(Forbidden):
        service.decide(s, world.user(s, reader), s.get(FamilyReferral, referral_id), "dibao", None)


def test_linking_a_household_by_its_number_inside_the_region_only(world):
    here = world.household(household_no="GY-2026-0001")
    there = world.household(region_code="341622100", household_no="MC-2026-0001")
    referral_id = file_one(world)
    with world.tx() as s:
        referral = s.get(FamilyReferral, referral_id)
        with pytest.raises(Invalid) as refused:
            service.decide(s, world.user(s, world.poster), referral, "dibao", None, there.household_no)
        assert refused.value.field == "household_code"
    with world.tx() as s:
        referral = s.get(FamilyReferral, referral_id)
        service.decide(s, world.user(s, world.poster), referral, "dibao", None, "GY-2026-0001")
    with world.tx() as s:
        assert s.get(FamilyReferral, referral_id).household_id == here.id
    later = file_one(world)
    with world.tx() as s:
        referral = s.get(FamilyReferral, later)
        service.decide(s, world.user(s, world.poster), referral, "monitoring", None)
        service.link_household(s, world.user(s, world.poster), referral, here.public_code)
        assert referral.household_id == here.id


def test_showing_the_contact_is_logged(world):
    household = world.household(household_no="GY-2026-0009")
    referral_id = file_one(world)
    with world.tx() as s:
        shown = service.reveal_contact(s, world.user(s, world.poster), s.get(FamilyReferral, referral_id),
                                       world.vault, "/staff/referrals/1/contact")
        assert (shown.name, shown.phone) == (NAME, PHONE)
    with world.tx() as s:
        events = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == service.CONTACT_EVENT)).all()
        assert [(e.actor_id, e.detail) for e in events] == [(world.poster, {"referral_id": referral_id})]
        referral = s.get(FamilyReferral, referral_id)
        service.link_household(s, world.user(s, world.poster), referral, "GY-2026-0009")
        service.reveal_contact(s, world.user(s, world.poster), referral, world.vault)
    with world.tx() as s:
        logged = s.scalars(select(AccessLog).where(AccessLog.household_id == household.id)).all()
        assert [row.action for row in logged] == ["view_contact"]
        with pytest.raises(Forbidden):
            service.reveal_contact(s, world.user(s, world.other_county), s.get(FamilyReferral, referral_id),
                                   world.vault)


def test_overdue_referrals_are_counted_in_scope(world):
    file_one(world, today=date(2026, 11, 2))  # due 2026-11-16
    file_one(world, today=date(2026, 11, 20))  # due 2026-12-04
    decided = file_one(world, today=date(2026, 11, 2))
    with world.tx() as s:
        service.decide(s, world.user(s, world.poster), s.get(FamilyReferral, decided), "dibao", None)
    with world.tx() as s:
        for who, count in ((world.poster, 1), (world.township_staff, 1), (world.city, 1), (world.other_county, 0),
                           (world.volunteer, 0)):
            assert service.overdue_count(s, world.user(s, who), date(2026, 11, 25)) == count, who
        assert service.overdue_count(s, world.user(s, world.poster), date(2026, 12, 7)) == 2
