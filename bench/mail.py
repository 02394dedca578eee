"""Mail delivery benchmark (issue 7): 10,000 digest-like messages through the outbox to a real SMTP server.

    .venv/bin/python bench/mail.py [--messages 10000] [--batch 100] [--database-url postgresql+psycopg://...]

Builds a fresh database migrated with Alembic (a temporary SQLite file unless --database-url is given;
that database's schema is dropped and rebuilt), queues the messages with `outbox_mail.queue` in one
transaction (Chinese subjects, a plain and an HTML part, ~2 KB each), starts an aiosmtpd server on
127.0.0.1 that counts what it accepts by Message-ID, and calls `deliver_due` until nothing is due, as the
worker does. Prints the queueing time, the delivery time and rate, and whether every message arrived
exactly once. Target: all delivered within 60 s; exits 1 if missed or if any message is lost or doubled.
"""

import argparse
import os
import random
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

from benchlib import fresh_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 60.0
ITEMS = ("两床棉被", "一台电暖器", "上门助浴服务", "大学新生学费", "一辆轻便轮椅", "卫生间安装扶手", "每周透析费用",
         "课后作业辅导", "过冬取暖煤炭", "一台家用制氧机", "居家适老化改造", "志愿者定期探访")
PLACES = ("涡阳县楚店镇", "蒙城县双涧镇", "谯城区古井镇", "利辛县阚疃镇", "涡阳县高公镇", "蒙城县坛城镇")


class Counting:
    """Counts accepted messages by Message-ID (aiosmtpd handler)."""

    def __init__(self):
        self.ids = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        with self.lock:
            self.ids[message_id] += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def digest(rng: random.Random, n: int) -> tuple[str, str, str]:
    """A weekly digest: subject, plain text and HTML of about 2 KB together."""
    lines = []
    for _ in range(8):
        place, item = rng.choice(PLACES), rng.choice(ITEMS)
        lines.append((f"{place}一户困难家庭需要{item}", f"截止日期：12月{rng.randint(1, 28)}日，已认领{rng.randint(0, 80)}%"))
    subject = f"【善桥】本周您关注的地区有{len(lines)}条新需求（第{n}期）"
    text = "您好：\n\n以下是本周您关注地区新发布的帮扶需求：\n" + "\n".join(
        f"· {title}（{meta}）" for title, meta in lines) + "\n\n登录善桥查看详情并认领。不想再收到此类邮件？请在“通知设置”中退订。"
    html = "<p>您好：</p><p>以下是本周您关注地区新发布的帮扶需求：</p><ul>" + "".join(
        f"<li><strong>{title}</strong>（{meta}）</li>" for title, meta in lines) + \
        "</ul><p>登录善桥查看详情并认领。不想再收到此类邮件？请在“通知设置”中退订。</p>"
    return subject, text, html


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="MAIL_BATCH: rows claimed per deliver_due")
    parser.add_argument("--database-url", help="PostgreSQL URL (its schema is dropped and rebuilt)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shanqiao-mailbench-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["MARKETPLACE_INSTANCE_PATH"] = tmp_name
        from aiosmtpd.controller import Controller
        from sqlalchemy import func, select

        from marketplace import create_app
        from marketplace.db import engine_of, transaction
        from marketplace.notify import outbox_mail
        from marketplace.notify.delivery import deliver_due, message_id
        from marketplace.outbox.models import OutboxMessage

        url = fresh_database(args.database_url, tmp / "bench.db")
        port = free_port()
        app = create_app({"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(tmp / "index"), "MAIL_SERVER": "127.0.0.1",
                          "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False, "MAIL_BATCH": args.batch})
        engine = engine_of(app)
        rng = random.Random(7)
        keys = [f"digest:2026-w47:user{n}" for n in range(args.messages)]
        started = time.perf_counter()
        size = 0
        with transaction(engine) as s:
            for n, key in enumerate(keys):
                subject, text, html = digest(rng, n)
                size += len(subject.encode()) + len(text.encode()) + len(html.encode())
                outbox_mail.queue(s, to=f"user{n}@example.cn", subject=subject, text=text, html=html, key=key,
                                  kind="digest", headers={"List-Unsubscribe": f"<https://shanqiao.local/u/{n}>"})
        queued_s = time.perf_counter() - started
        print(f"queued {args.messages} messages (avg {size / args.messages / 1024:.1f} KB of text) in one "
              f"transaction on {engine.dialect.name} in {queued_s:.1f} s")

        handler = Counting()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            started = time.perf_counter()
            rounds = 0
            while deliver_due(app).claimed:
                rounds += 1
            delivery_s = time.perf_counter() - started
        finally:
            controller.stop()
        with transaction(engine) as s:
            sent_rows = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent"))
        engine.dispose()

        expected = {message_id(key, app.config["MAIL_DEFAULT_SENDER"]) for key in keys}
        exactly_once = set(handler.ids) == expected and set(handler.ids.values()) == {1}
        received = sum(handler.ids.values())
        print(f"delivered {received} messages in {delivery_s:.1f} s ({received / delivery_s:.0f} messages/s, "
              f"{rounds} rounds of up to {args.batch}); rows marked sent: {sent_rows}")
        print(f"every message arrived exactly once: {'yes' if exactly_once and sent_rows == len(keys) else 'NO'}")
        ok = exactly_once and sent_rows == len(keys) and delivery_s <= TARGET_S
        print(f"target: all {args.messages} delivered in <= {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
