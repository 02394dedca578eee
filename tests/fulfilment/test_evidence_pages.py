"""The evidence form asks for the figures of the need's form, with the files fragment, guidance and the
household's code; what it posts beyond its form is dropped, and a wrong code saves nothing."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation import service as confirmation
from marketplace.fulfilment.models import Fulfilment
from marketplace.needs.models import Need
from support import login, post

FIELDS = {
    "money": ({"amount", "delivered_on", "summary", "confirmation_code"}, "支付日期"),
    "goods": ({"quantity", "item", "delivered_on", "summary", "confirmation_code"}, "交付日期"),
    "service": ({"service_from", "delivered_on", "hours", "summary", "confirmation_code"}, "最后服务日期"),
    "retrofit": ({"delivered_on", "amount", "acceptance", "acceptance_note", "summary", "confirmation_code"},
                 "完工日期"),
}
FIGURES = {"amount", "quantity", "item", "service_from", "hours", "acceptance", "acceptance_note"}


def _claim(world, need) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need.id)).one()


def _evidence_form(html: str) -> str:
    return re.search(r'<form method="post" enctype="multipart/form-data" novalidate class="evidence-form">.*?</form>',
                     html, re.S).group(0)


@pytest.mark.parametrize("form", sorted(FIELDS))
def test_the_form_asks_for_the_figures_of_the_needs_form_only(client, world, form):
    need = world.need("in_progress", form=form)
    claim = _claim(world, need)
    login(client, "helper@volunteer.cn" if form == "service" else "member@charity.org.cn")
    page = client.get(f"/my/claims/{claim.id}/evidence")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    names = set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', _evidence_form(html)))
    wanted, date_label = FIELDS[form]
    assert names - {"csrf_token"} == wanted
    assert not (FIGURES - wanted) & names
    assert f'<label for="delivered_on">{date_label}</label>' in html
    assert "受助方确认码（送达回执上的6位数字）" in html
    # Every field has its label; the files fragment posts to its own route and says what a photo must not show.
    for name in names - {"csrf_token"}:
        assert f'<label for="{name}">' in html, name
    assert f'action="/my/claims/{claim.id}/evidence/files"' in html and "身份证" in html and "户口簿" in html
    if form == "retrofit":
        assert all(label in html for label in ("受助方", "村（居）委会", "第三方机构", "民政工作人员"))


def test_figures_posted_beyond_the_form_are_dropped(client, world):
    need = world.need("in_progress", form="money")
    claim = _claim(world, need)
    with world.tx() as s:
        world.attach_evidence(s, world.user(s, world.charity), s.get(Need, need.id), claim=s.get(Claim, claim.id))
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/evidence"
    sent = post(client, url, {"delivered_on": date.today().isoformat(), "summary": "学费已转入学校账户",
                              "amount": "3,000", "quantity": "1", "hours": "4.0", "item": "棉被",
                              "acceptance": "household"}, page=url)
    assert sent.status_code == 303, sent.get_data(as_text=True)[-1500:]
    with world.tx() as s:
        stored = s.scalars(select(Fulfilment).where(Fulfilment.claim_id == claim.id)).one()
        assert (stored.amount_fen, stored.quantity, stored.hours, stored.item, stored.acceptance) == (
            300000, None, None, None, None)


def test_missing_files_and_a_wrong_code_are_shown_on_the_form_and_nothing_is_saved(client, world):
    need = world.need("in_progress", form="money")
    claim = _claim(world, need)
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/evidence"
    fields = {"delivered_on": date.today().isoformat(), "summary": "学费已转入学校账户", "amount": "3000"}
    missing = post(client, url, fields, page=url)
    assert missing.status_code == 422
    assert 'id="files-error"' in missing.get_data(as_text=True) and "还缺少：收据或转账凭证" in missing.get_data(as_text=True)
    with world.tx() as s:
        world.attach_evidence(s, world.user(s, world.charity), s.get(Need, need.id), claim=s.get(Claim, claim.id))
        code = confirmation.slip_for(s, claim=s.get(Claim, claim.id)).code
    wrong = post(client, url, {**fields, "confirmation_code": "000000" if code != "000000" else "111111"}, page=url)
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="confirmation_code-error"' in body
    with world.tx() as s:
        assert s.get(Need, need.id).status == "in_progress" and s.get(Claim, claim.id).status == "started"
        assert s.scalars(select(Fulfilment)).all() == []
    right = post(client, url, {**fields, "confirmation_code": code}, page=url)
    assert right.status_code == 303
    with world.tx() as s:
        assert confirmation.slip_for(s, claim=s.get(Claim, claim.id)).confirmed_via == "code"


def test_files_posted_with_the_form_are_staged_with_a_successful_submission_only(client, world):
    from evidence_samples import jpeg

    need = world.need("in_progress", form="money")
    claim = _claim(world, need)
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/evidence"
    fields = {"delivered_on": date.today().isoformat(), "summary": "学费已转入学校账户", "role": "receipt"}
    import io

    refused = post(client, url, {**fields, "amount": "", "files": (io.BytesIO(jpeg(400, 300)), "receipt.jpg")},
                   page=url, content_type="multipart/form-data")
    assert refused.status_code == 422 and "重新选择文件" in refused.get_data(as_text=True), refused.get_data(as_text=True)[-3000:]
    from marketplace.evidence.models import EvidenceFile

    with world.tx() as s:
        assert s.scalars(select(EvidenceFile)).all() == []
    sent = post(client, url, {**fields, "amount": "3000", "files": (io.BytesIO(jpeg(400, 300)), "receipt.jpg")},
                page=url, content_type="multipart/form-data")
    assert sent.status_code == 303, sent.get_data(as_text=True)[-1500:]
    with world.tx() as s:
        stored = s.scalars(select(EvidenceFile)).one()
        assert stored.role == "receipt" and stored.attached_at is not None and stored.fulfilment_id


def test_a_service_form_is_prefilled_from_shift_attendance(client, world):
    from datetime import UTC, datetime, time, timedelta

    from marketplace.volunteering.models import HoursEntry, Shift, ShiftSignup

    need = world.need("in_progress", form="service")
    claim = _claim(world, need)
    day = date.today() - timedelta(days=2)
    with world.tx() as s:
        shift = Shift(need_id=need.id, date=day, start_time=time(9), end_time=time(12), place="楚店镇", capacity=2,
                      signup_code="123456", created_by_id=world.poster)
        s.add(shift)
        s.flush()
        signup = ShiftSignup(shift_id=shift.id, user_id=world.volunteer, status="booked",
                             checked_in_at=datetime.combine(day, time(9), tzinfo=UTC))
        s.add(signup)
        s.flush()
        s.add(HoursEntry(signup_id=signup.id, user_id=world.volunteer, shift_id=shift.id, minutes=150,
                         status="approved"))
    login(client, "helper@volunteer.cn")
    html = client.get(f"/my/claims/{claim.id}/evidence").get_data(as_text=True)
    assert "按签到记录共 2.5 小时" in html
    assert re.search(r'name="hours"[^>]*value="2.5"', html) or re.search(r'value="2.5"[^>]*name="hours"', html)
    assert re.search(rf'name="service_from"[^>]*value="{day.isoformat()}"', html) or \
        re.search(rf'value="{day.isoformat()}"[^>]*name="service_from"', html)
