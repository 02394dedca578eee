"""Mail through the transactional outbox: a change that queues mail commits whatever the SMTP server
does, a rollback queues nothing, and every committed message arrives exactly once (at least once across
a worker crash, with a window of one message)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.db import transaction
from marketplace.modelbase import utcnow
from marketplace.notify import outbox_mail
from marketplace.notify.delivery import backoff, deliver_due, message_id
from marketplace.outbox.models import OutboxMessage


def queue(s, key, to="zhang@example.cn", **kw):
    values = dict(to=to, subject=f"【善桥】您认领的需求有新进展 {key}", text="您好，需求“冬季棉被”已核验完成。",
                  html="<p>您好，需求“冬季棉被”已<strong>核验完成</strong>。</p>", key=key, kind="need_verified")
    values.update(kw)
    return outbox_mail.queue(s, **values)


def rows(engine):
    with transaction(engine) as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail").order_by(OutboxMessage.id)))


def make_due(engine):
    with transaction(engine) as s:
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))


def test_server_down_the_change_commits_and_the_message_arrives_once_when_it_is_back(app, engine, smtp_server):
    smtp_server.stop()
    with transaction(engine) as s:
        assert queue(s, "verified:1:zhang") is not None
    report = deliver_due(app)
    assert (report.sent, report.retrying) == (0, 1)
    [row] = rows(engine)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(minutes=1)
    smtp_server.start()
    assert deliver_due(app).claimed == 0  # not due yet: back-off is respected
    make_due(engine)
    assert deliver_due(app).sent == 1
    assert deliver_due(app).claimed == 0
    make_due(engine)
    assert deliver_due(app).claimed == 0
    assert len(smtp_server.messages) == 1
    [row] = rows(engine)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1 and row.last_error is None


def test_a_rolled_back_change_leaves_no_message(app, engine, smtp_server):
    with pytest.raises(RuntimeError), transaction(engine) as s:
        queue(s, "verified:2:zhang")
        raise RuntimeError("the change failed after queueing")
    assert rows(engine) == []
    assert deliver_due(app).claimed == 0 and smtp_server.messages == []


def test_queueing_the_same_key_twice_writes_one_message(app, engine):
    with transaction(engine) as s:
        assert queue(s, "digest:2026-11-22:zhang") is not None
        assert queue(s, "digest:2026-11-22:zhang") is None
    with transaction(engine) as s:
        assert queue(s, "digest:2026-11-22:zhang") is None
    assert len(rows(engine)) == 1


def test_the_message_arrives_multipart_with_its_message_id_chinese_subject_and_headers(app, engine, smtp_server):
    unsubscribe = "<https://shanqiao.local/notify/unsubscribe/abc>"
    with transaction(engine) as s:
        queue(s, "verified:3:zhang", subject="【善桥】需求“轮椅”已核验", to="zhang@example.cn",
              headers={"List-Unsubscribe": unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    assert deliver_due(app).sent == 1
    [received] = smtp_server.messages
    sender = app.config["MAIL_DEFAULT_SENDER"]
    assert received["Message-ID"] == message_id("verified:3:zhang", sender)
    assert received["Subject"] == "【善桥】需求“轮椅”已核验"
    assert received["From"].addresses[0].display_name == "善桥 Shanqiao"
    assert received["To"] == "zhang@example.cn"
    assert received["List-Unsubscribe"] == unsubscribe
    plain, html = received.get_body(("plain",)), received.get_body(("html",))
    assert "冬季棉被" in plain.get_content() and "<strong>核验完成</strong>" in html.get_content()


def test_a_long_html_line_of_chinese_is_not_refused_by_the_server(app, engine, smtp_server):
    # Rendered HTML often has no line breaks; 400 Chinese characters are 1,200 bytes, over SMTP's 998.
    row = "".join(f"<li>{n}号：涡阳县楚店镇一户困难家庭需要两床棉被</li>" for n in range(40))
    with transaction(engine) as s:
        queue(s, "digest:long", html=f"<ul>{row}</ul>")
    assert deliver_due(app).sent == 1
    [received] = smtp_server.messages
    assert received.get_body(("html",)).get_content() == f"<ul>{row}</ul>"


def test_back_off_doubles_up_to_six_hours_and_gives_up_after_max_attempts(app, engine, smtp_server):
    assert [backoff(n) for n in (1, 2, 3, 8)] == [timedelta(minutes=m) for m in (2, 4, 8, 256)]
    assert backoff(9) == backoff(30) == timedelta(hours=6)
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.recorder.refuse.add("gone@example.cn")
    with transaction(engine) as s:
        queue(s, "verified:4:gone", to="gone@example.cn")
        queue(s, "verified:4:li", to="li@example.cn")
    for attempt, minutes in ((1, 2), (2, 4)):
        before = utcnow()
        report = deliver_due(app)
        assert report.retrying == 1
        [row] = [r for r in rows(engine) if r.idempotency_key == "verified:4:gone"]
        assert (row.status, row.attempts) == ("pending", attempt)
        assert "550" in row.last_error and "冬季棉被" not in row.last_error  # the reply, never the body
        assert before + timedelta(minutes=minutes) <= row.next_attempt_at <= utcnow() + timedelta(minutes=minutes)
        make_due(engine)
    assert deliver_due(app).failed == 1
    gone, li = rows(engine)
    assert (gone.status, gone.attempts) == ("failed", 3) and li.status == "sent"
    make_due(engine)
    assert deliver_due(app).claimed == 0  # failed rows stay failed until staff retry them
    assert len(smtp_server.messages) == 1  # the refused recipient's message was never accepted


def test_an_unreachable_server_charges_one_probe_not_the_whole_queue(app, engine, smtp_server):
    smtp_server.stop()
    with transaction(engine) as s:
        for n in range(5):
            queue(s, f"digest:{n}", to=f"user{n}@example.cn")
    app.config["MAIL_BATCH"] = 3
    report = deliver_due(app)
    assert (report.retrying, report.deferred) == (1, 4)
    probe, *others = rows(engine)
    assert probe.attempts == 1 and all(r.attempts == 0 for r in others)
    assert all(r.status == "pending" and r.next_attempt_at == probe.next_attempt_at for r in others)
    assert deliver_due(app).claimed == 0  # the next poll does not hammer the server
    smtp_server.start()
    make_due(engine)
    assert deliver_due(app).sent == 3 and deliver_due(app).sent == 2
    assert sorted(smtp_server.recorder.message_ids()) == sorted(
        message_id(f"digest:{n}", app.config["MAIL_DEFAULT_SENDER"]) for n in range(5))
