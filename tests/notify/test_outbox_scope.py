"""邮件队列 is scoped to the reader's region (issue 11): a county clerk neither sees nor retries another
county's mail, and the recipient's region is kept on the row when mail is queued."""

from sqlalchemy import select

from marketplace.db import transaction
from marketplace.notify import outbox_mail
from marketplace.notify.messages import send
from marketplace.outbox.models import OutboxMessage
from support import login, post


def _failed(engine, key, region):
    with transaction(engine) as s:
        row = outbox_mail.queue(s, to=f"{key}@example.cn", subject=f"【善桥】通知 {key}", text="正文", html=None,
                                key=key, kind="need.claimed", region=region)
        row.status, row.attempts = "failed", 8
        return row.id


def _status(engine, row_id):
    with transaction(engine) as s:
        return s.get(OutboxMessage, row_id).status


def test_a_county_clerk_sees_and_retries_only_their_own_countys_mail(client, world, engine):
    guoyang = _failed(engine, "guoyang", "341621100")
    mengcheng = _failed(engine, "mengcheng", "341622100")
    _failed(engine, "nowhere", None)  # a recipient of no region is nobody's to read
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "guoyang@example.cn" in page and "mengcheng@example.cn" not in page and "nowhere@" not in page
    assert "发送失败（1）" in page
    response = post(client, f"/staff/outbox/{mengcheng}/retry", page="/staff/outbox?status=failed")
    assert response.status_code == 404
    assert _status(engine, mengcheng) == "failed"
    assert post(client, f"/staff/outbox/{guoyang}/retry", page="/staff/outbox?status=failed").status_code == 303
    assert _status(engine, guoyang) == "pending"

    other = client.application.test_client()
    login(other, "staff@mengcheng.gov.cn")
    page = other.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "mengcheng@example.cn" in page and "guoyang@example.cn" not in page

    city = client.application.test_client()
    login(city, "city@bozhou.gov.cn")
    page = city.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "mengcheng@example.cn" in page and "guoyang@example.cn" not in page  # retried: now waiting
    assert "guoyang@example.cn" in city.get("/staff/outbox").get_data(as_text=True)


def test_queued_mail_carries_the_recipients_id_and_region(world, tx):
    with tx() as s:
        charity, volunteer, staff = (world.user(s, i) for i in (world.charity, world.volunteer, world.other_county))
        for user in (charity, volunteer, staff):
            send(s, "claim.expired", user, {"need": {"id": 1, "title": "学费", "category": "education",
                                                     "area": "涡阳县", "deadline": "2030-01-01"},
                                            "path": "/my/claims"}, f"test:{user.id}")
    with tx() as s:
        rows = {r.payload["user_id"]: r.payload["region"] for r in s.scalars(select(OutboxMessage))}
    # The charity member by their organisation's region, the volunteer by home region, staff by theirs.
    assert rows == {world.charity: "341621", world.volunteer: "341621", world.other_county: "341622"}
