"""双向转介 as people use it: a volunteer fills in the form, staff of the township's county work the queue,
show the contact on purpose and record the outcome; the referrer reads the outcome on their page and in
mail, neither of which ever carries the name or phone they gave. Refusals for the wrong people, and the
pages in English."""

import logging
import re
from datetime import date

import pytest
from i18n.english_crawl import Allowance, read_page
from sqlalchemy import select, update

from marketplace.auth.models import AppUser
from marketplace.notify.outbox_mail import opened
from marketplace.outbox.models import OutboxMessage
from marketplace.referrals.models import FamilyReferral
from support import login, post

NAME, PHONE = "李桂兰", "13912345678"
DESCRIPTION = "老人独自居住，腿脚不便，冬天取暖困难，目前没有领取任何救助。"
FORM = {"region_code": "341621100", "hardships": ["高龄", "独居"], "description": DESCRIPTION, "consent": "y",
        "consent_note": "本人口头同意，网格员在场", "name": NAME, "phone": PHONE}


def _file(client) -> int:
    login(client, "helper@volunteer.cn")
    response = post(client, "/referrals/new", FORM, page="/referrals/new")
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/my/referrals/(\d+)", response.headers["Location"]).group(1))


def _mails(tx) -> list[dict]:
    with tx() as s:
        return [{**opened(m.payload), "kind": m.kind} for m in
                s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail").order_by(OutboxMessage.id))]


def test_the_life_cycle_without_personal_data_reaching_the_referrer(app, client, world, tx, caplog):
    caplog.set_level(logging.DEBUG)
    referral_id = _file(client)
    mine = client.get(f"/my/referrals/{referral_id}").get_data(as_text=True)
    assert "待处理" in mine and DESCRIPTION in mine and NAME not in mine and PHONE not in mine
    assert "涡阳县 · 楚店镇" in client.get("/my/referrals").get_data(as_text=True)

    staff = app.test_client()
    login(staff, "poster@guoyang.gov.cn")
    queue = staff.get("/staff/referrals").get_data(as_text=True)
    assert f"/staff/referrals/{referral_id}" in queue
    page = staff.get(f"/staff/referrals/{referral_id}").get_data(as_text=True)
    assert DESCRIPTION in page and NAME not in page and PHONE not in page and "查看联系方式" in page
    shown = post(staff, f"/staff/referrals/{referral_id}/contact", page=f"/staff/referrals/{referral_id}")
    assert shown.status_code == 200 and NAME in shown.get_data(as_text=True) and PHONE in shown.get_data(as_text=True)

    refused = post(staff, f"/staff/referrals/{referral_id}/decide", {"outcome": "ineligible", "reason": ""},
                   page=f"/staff/referrals/{referral_id}")
    assert refused.status_code == 422 and "须写明原因" in refused.get_data(as_text=True)
    named = post(staff, f"/staff/referrals/{referral_id}/decide", {"outcome": "ineligible", "reason": f"{NAME}家有存款"},
                 page=f"/staff/referrals/{referral_id}")
    assert named.status_code == 422 and "原因第1至3个字符" in named.get_data(as_text=True)
    decided = post(staff, f"/staff/referrals/{referral_id}/decide",
                   {"outcome": "ineligible", "reason": "家庭人均收入高于当地低保标准"}, page=f"/staff/referrals/{referral_id}")
    assert decided.status_code == 303

    mine = client.get(f"/my/referrals/{referral_id}").get_data(as_text=True)
    assert "不符合条件" in mine and "家庭人均收入高于当地低保标准" in mine and NAME not in mine and PHONE not in mine
    mails = _mails(tx)
    assert [m["kind"] for m in mails] == ["referral.filed", "referral.filed", "referral.filed", "referral.decided"]
    told = mails[-1]
    assert told["to"] == "helper@volunteer.cn" and "不符合条件" in told["subject"]
    assert f"/my/referrals/{referral_id}" in told["text"] and "楚店镇" in told["text"]
    for mail in mails:
        for part in ("subject", "text", "html"):
            for secret in (NAME, PHONE, DESCRIPTION, "网格员在场", "人均收入"):
                assert secret not in mail[part], (mail["kind"], part, secret)
    for record in caplog.records:
        assert NAME not in record.getMessage() and PHONE not in record.getMessage()


def test_the_form_shows_every_problem_at_once(client, world):
    login(client, "helper@volunteer.cn")
    response = post(client, "/referrals/new", {"description": "太短"}, page="/referrals/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("请选择家庭所在的乡镇（街道）。", "请至少选择一种困难情形。", "情况说明须为10至2000字。",
                    "转介须经本人（或监护人）同意", "请写明如何征得同意。"):
        assert message in body, message
    response = post(client, "/referrals/new", {**FORM, "description": f"老人独居，儿子电话{PHONE}，常年在外打工。"},
                    page="/referrals/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "情况说明第" in body and "加密保存的联系信息栏" in body
    assert 'id="description-error"' in body


def test_the_wrong_people_are_refused(app, client, world, tx):
    referral_id = _file(client)
    other = app.test_client()
    login(other, "staff@mengcheng.gov.cn")
    assert other.get(f"/staff/referrals/{referral_id}").status_code == 403
    assert post(other, f"/staff/referrals/{referral_id}/contact", page="/staff/referrals").status_code == 403
    assert f"/staff/referrals/{referral_id}" not in other.get("/staff/referrals").get_data(as_text=True)
    charity = app.test_client()
    login(charity, "member@charity.org.cn")
    assert charity.get(f"/my/referrals/{referral_id}").status_code == 404
    assert charity.get("/staff/referrals").status_code == 403
    pending = app.test_client()
    login(pending, "member@pending.org.cn")
    assert pending.get("/referrals/new").status_code == 403
    visitor = app.test_client()
    assert visitor.get("/staff/referrals").status_code in (302, 303)
    assert visitor.get(f"/my/referrals/{referral_id}").status_code in (302, 303)
    reader_id = world.staff("reader@guoyang.gov.cn", duties=())
    reader = app.test_client()
    login(reader, "reader@guoyang.gov.cn")
    assert reader.get(f"/staff/referrals/{referral_id}").status_code == 200
    assert post(reader, f"/staff/referrals/{referral_id}/decide", {"outcome": "dibao"},
                page="/staff/referrals").status_code == 403
    with tx() as s:
        assert s.get(FamilyReferral, referral_id).status == "open" and reader_id


def test_overdue_referrals_are_flagged_and_filtered(app, client, world, tx):
    late = _file(client)
    on_time = _file(client)
    with tx() as s:
        s.execute(update(FamilyReferral).where(FamilyReferral.id == late).values(due_on=date(2020, 1, 6)))
    staff = app.test_client()
    login(staff, "chudian@guoyang.gov.cn")
    queue = staff.get("/staff/referrals").get_data(as_text=True)
    assert "1 件转介已超过办理期限" in queue and 'class="overdue"' in queue
    overdue = staff.get("/staff/referrals?tab=overdue").get_data(as_text=True)
    assert f"/staff/referrals/{late}" in overdue and f"/staff/referrals/{on_time}" not in overdue
    assert staff.get("/staff/referrals?tab=nonsense").status_code == 422
    with app.test_request_context():
        from flask import render_template
        from flask_login import login_user

        with tx() as s:
            login_user(s.get(AppUser, world.township_staff))
            s.expunge_all()
        assert "1 件困难家庭转介已超过办理期限" in render_template("referrals/_overdue.html")


@pytest.mark.parametrize("who", ["helper@volunteer.cn", "poster@guoyang.gov.cn"])
def test_the_pages_read_in_english(app, client, world, tx, who):
    referral_id = _file(client)
    staff = app.test_client()
    login(staff, "poster@guoyang.gov.cn")
    post(staff, f"/staff/referrals/{referral_id}/decide", {"outcome": "temporary", "reason": "已发放临时救助"},
         page="/staff/referrals")
    with tx() as s:
        s.execute(update(AppUser).values(locale="en"))
    reader = app.test_client()
    login(reader, who)
    pages = (["/referrals/new", "/my/referrals", "/my/referrals?tab=decided", f"/my/referrals/{referral_id}"]
             if who.startswith("helper") else
             ["/staff/referrals", "/staff/referrals?tab=overdue", "/staff/referrals?tab=decided",
              f"/staff/referrals/{referral_id}"])
    data = Allowance(["涡阳县", "楚店镇", "高炉镇", "蒙城县", "双涧镇", DESCRIPTION, "本人口头同意，网格员在场", "已发放临时救助",
                      "涡阳县慈善协会", "poster", "helper"])
    for url in pages:
        response = reader.get(url)
        assert response.status_code == 200, url
        page = read_page(response.get_data(as_text=True))
        assert page.html_lang == "en"
        left = [(text, where) for text, where in page.texts if data.residue(text)]
        assert not left, (url, left)
