"""邮件队列 (/staff/outbox): county-level staff see waiting, sent and failed mail and can retry failures."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.db import transaction
from marketplace.modelbase import utcnow
from marketplace.notify import outbox_mail
from marketplace.outbox.models import OutboxMessage
from support import login, post


def _mail(engine, key, status, attempts=0, error=None, subject=None):
    with transaction(engine) as s:
        row = outbox_mail.queue(s, to=f"{key}@example.cn", subject=subject or f"【善桥】通知 {key}", text="正文",
                                html=None, key=key, kind="need_verified", region="341621100")
        row.status, row.attempts, row.last_error = status, attempts, error
        row.next_attempt_at = utcnow() + timedelta(hours=1)
        if status == "sent":
            row.sent_at = utcnow()
        return row.id


def _get(engine, row_id):
    with transaction(engine) as s:
        return s.get(OutboxMessage, row_id)


def test_staff_see_the_queue_by_status_and_retry_a_failed_message(client, world, engine):
    _mail(engine, "wait1", "pending", 1, "ConnectionRefusedError: [Errno 111] Connection refused")
    _mail(engine, "done1", "sent", subject="【善桥】需求“冬季棉被”已核验")
    failed = _mail(engine, "bad1", "failed", 8, "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable")
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/outbox").get_data(as_text=True)
    # Sent mail only grows: its tab is not counted (marketplace/paging.py), the other two are.
    assert "邮件队列" in page and "待发送（1）" in page and "已发送</a>" in page and "发送失败（1）" in page
    assert "wait1@example.cn" in page and "Connection refused" in page and "done1@example.cn" not in page
    sent = client.get("/staff/outbox?status=sent").get_data(as_text=True)
    assert "【善桥】需求“冬季棉被”已核验" in sent or "【善桥】需求&#8220;冬季棉被&#8221;已核验" in sent
    failed_page = client.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "bad1@example.cn" in failed_page and "重试" in failed_page
    assert '<a href="/staff/outbox">邮件队列</a>' in page  # the staff navigation links here

    assert client.post(f"/staff/outbox/{failed}/retry").status_code == 400  # no CSRF token
    response = post(client, f"/staff/outbox/{failed}/retry", page="/staff/outbox?status=failed")
    assert response.status_code == 303
    row = _get(engine, failed)
    assert row.status == "pending" and row.attempts == 8 and row.next_attempt_at <= utcnow()
    again = post(client, f"/staff/outbox/{failed}/retry", page="/staff/outbox?status=failed")
    assert again.status_code == 409  # no longer failed


def test_only_county_level_staff_and_above_see_the_queue(client, world, engine):
    _mail(engine, "x", "pending")
    login(client, "chudian@guoyang.gov.cn")  # township staff
    assert client.get("/staff/outbox").status_code == 403
    assert "邮件队列" not in client.get("/").get_data(as_text=True)
    charity = client.application.test_client()
    login(charity, "member@charity.org.cn")
    assert charity.get("/staff/outbox").status_code == 403
    city = client.application.test_client()
    login(city, "city@bozhou.gov.cn")
    assert city.get("/staff/outbox").status_code == 200
    assert client.application.test_client().get("/staff/outbox").status_code in (302, 303)


def test_the_queue_is_paginated(client, world, engine, app):
    app.config["STAFF_PAGE_SIZE"] = 2
    for n in range(3):
        _mail(engine, f"s{n}", "sent")
    login(client, "city@bozhou.gov.cn")
    first = client.get("/staff/outbox?status=sent").get_data(as_text=True)
    second = client.get("/staff/outbox?status=sent&page=2").get_data(as_text=True)
    assert "第 1 页" in first and "下一页" in first and first.count("@example.cn</td>") == 2
    assert second.count("@example.cn</td>") == 1
    with transaction(engine) as s:
        assert len(s.scalars(select(OutboxMessage)).all()) == 3
