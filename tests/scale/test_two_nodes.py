"""Scale-out on PostgreSQL (README, "Production (several nodes)"): two app nodes (gunicorn, two processes
each) and a worker per node, all real processes on the suite's database, with a real SMTP server.

- a need published through node A is found through node B's search (API and page) within 5 s;
- mail queued through both nodes reaches the SMTP server exactly once, and the outbox says sent;
- two charities of different organisations, one on each node, claim the same need at the same moment:
  one wins, the other gets the clear 409, and the database holds one active claim.

One test, because the processes are the expensive part and the suite empties every table after each
test (tests/conftest.py), which would pull the data out from under running nodes. The processes are
stopped before that emptying (this fixture is torn down first), so what they wrote is removed with the
rest."""

import base64
import collections
import json
import os
import re
import secrets
import threading
import time
from datetime import date, timedelta

import pytest
from nodes import Browser, Cluster, Mailbox
from sqlalchemy import select

from marketplace.auth.service import create_user
from marketplace.claims.models import Claim
from marketplace.needs.models import Need
from marketplace.notify.delivery import message_id
from marketplace.organizations.models import Organization
from marketplace.outbox.models import OutboxMessage
from marketplace.privacy.vault import load_master_key
from support import PASSWORD

pytestmark = [
    pytest.mark.scale,
    pytest.mark.skipif(not os.environ.get("MARKETPLACE_TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="several app nodes and workers need PostgreSQL (SQLite is one host's file): "
                              "set MARKETPLACE_TEST_DATABASE_URL to run the scale-out test"),
]

SEARCH_BUDGET_SECONDS = 5.0
MAIL_ACCOUNTS = 20
RACES = 10
SENDER = "善桥 Shanqiao <noreply@shanqiao.local>"
NUMERALS = "一二三四五六七八九十"


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def cluster(database_url, engine, instance_path, tmp_path, mailbox):
    """Nodes a and b, each `marketplace serve --workers 2` plus `marketplace worker`; started, not waited
    for (the test arranges its data meanwhile)."""
    cluster = Cluster(
        tmp_path, database_url,
        secret_key=secrets.token_urlsafe(48),
        # The suite's data key, so what World encrypts in this process reads the same on the nodes.
        data_key=base64.b64encode(load_master_key(instance_path)).decode(),
        extra_env={"MARKETPLACE_STAFF_2FA": "optional",
                   "MARKETPLACE_MAIL_SERVER": mailbox.host, "MARKETPLACE_MAIL_PORT": str(mailbox.port),
                   "MARKETPLACE_BASE_URL": "https://shanqiao.example",
                   # Small batches, so both workers take rows from the queue at the same time.
                   "MARKETPLACE_MAIL_BATCH": "4"})
    try:
        for name in ("a", "b"):
            cluster.start_worker(cluster.start_node(name))
        yield cluster
    finally:
        cluster.stop()
    assert not cluster.processes, "processes survived SIGKILL"


def test_two_nodes_share_search_mail_and_claims(cluster, mailbox, world, tx):
    node_a, node_b = cluster.nodes
    household = world.household()
    for _ in range(4):  # five households of the tier in the township: the public listing names it
        world.household()
    mail_users = _accounts(world)
    rival = _second_organisation_member(world)
    race_needs = [world.need("open", household=world.household(), title=f"助学需求第{NUMERALS[i]}号").id
                  for i in range(RACES)]
    cluster.wait_ready()

    _published_on_a_is_found_on_b(cluster, node_a, node_b, household.public_code)
    _each_mail_is_sent_once(cluster, mailbox, node_a, node_b, mail_users, tx)
    _one_claim_wins_across_nodes(node_a, node_b, rival, race_needs, tx)
    _outbox_delivered_exactly_once(cluster, mailbox, tx)


def _accounts(world) -> list[str]:
    emails = [f"mail{i:02d}@volunteer.cn" for i in range(MAIL_ACCOUNTS)]
    with world.tx() as s:
        for email in emails:
            create_user(s, email=email, password=PASSWORD, display_name=email.split("@")[0], role="volunteer",
                        region_code="341621")
    return emails


def _second_organisation_member(world) -> str:
    with world.tx() as s:
        org = Organization(name="蒙城县爱心公益社", uscc="51341622MJ0000003X", region_code="341622",
                           status="approved")
        s.add(org)
        s.flush()
        create_user(s, email="member@aixin.org.cn", password=PASSWORD, display_name="aixin", role="charity",
                    organization_id=org.id)
    return "member@aixin.org.cn"


def _published_on_a_is_found_on_b(cluster, node_a, node_b, household_code: str) -> None:
    word = "qz" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    staff = Browser()
    staff.login(node_a, "poster@guoyang.gov.cn", PASSWORD)
    # The session is server-side and the cookie is signed with the shared key: node b knows it too.
    assert staff.get(f"{node_b.url}/staff/needs").status == 200
    form = f"{node_a.url}/staff/households/{household_code}/needs/new"
    staff.get(form)
    posted = staff.post(form, {
        "category": "accessibility", "form": "retrofit", "title": f"卫生间加装扶手 {word}",
        "description": "户内有行动不便的老人，如厕需要扶手。", "urgency": "soon", "source": "window",
        "deadline": (date.today() + timedelta(days=40)).isoformat(),
        "target_amount": "4500", "target_quantity": "", "unit": "", "action": "publish"})
    published_at = time.monotonic()
    assert posted.status == 303 and re.search(r"/needs/\d+$", posted.location), (posted.status, posted.text[:800])
    need_id = int(posted.location.rsplit("/", 1)[1])

    visitor = Browser()
    api = page = None
    while time.monotonic() - published_at <= SEARCH_BUDGET_SECONDS:
        if api is None:
            answer = visitor.get(f"{node_b.url}/api/v1/needs?q={word}")
            assert answer.status == 200, answer.text[:300]
            # The results, not the echoed query (which holds the word from the start).
            if [item["id"] for item in json.loads(answer.text)["items"]] == [need_id]:
                api = time.monotonic() - published_at
        if page is None:
            answer = visitor.get(f"{node_b.url}/needs?q={word}")
            assert answer.status == 200
            if f'href="/needs/{need_id}"' in answer.text:
                page = time.monotonic() - published_at
        if api is not None and page is not None:
            break
        time.sleep(0.2)
    assert api is not None and page is not None, (
        f"need published on node a not found on node b within {SEARCH_BUDGET_SECONDS} s "
        f"(api: {api}, page: {page})\n{cluster.logs()}")


def _each_mail_is_sent_once(cluster, mailbox, node_a, node_b, emails: list[str], tx) -> None:
    """Password-reset requests, alternately through each node; both workers deliver."""
    asked_on = {}
    for i, email in enumerate(emails):
        node = (node_a, node_b)[i % 2]
        visitor = Browser()
        visitor.get(f"{node.url}/password/forgot")
        answer = visitor.post(f"{node.url}/password/forgot", {"email": email})
        assert answer.status == 303, (answer.status, answer.text[:500])
        asked_on[email] = node

    resets = _wait_for(lambda: [m for m in mailbox.received() if m["To"] in asked_on], len(emails), cluster,
                       "reset mails")
    subjects = collections.Counter((m["To"], str(m["Subject"])) for m in resets)
    assert {to for to, _ in subjects} == set(emails)
    assert all(count == 1 for count in subjects.values()), subjects
    with tx() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password.reset")).all()
        assert len(rows) == len(emails) and {r.status for r in rows} == {"sent"}

    # The link was signed by the node that took the request; the other node accepts it (shared key).
    message = next(m for m in resets if asked_on[m["To"]] is node_a)
    path = re.search(r"/password/reset/[^\s\"<>]+", message.get_body(("plain",)).get_content()).group(0)
    opened = Browser().get(f"{node_b.url}{path}")
    assert opened.status == 200 and 'name="password"' in opened.text, opened.text[:500]


def _one_claim_wins_across_nodes(node_a, node_b, rival_email: str, need_ids: list[int], tx) -> None:
    first, second = Browser(), Browser()
    first.login(node_a, "member@charity.org.cn", PASSWORD)
    second.login(node_b, rival_email, PASSWORD)
    barrier = threading.Barrier(2)
    outcomes: dict[int, list[tuple[str, int, str]]] = collections.defaultdict(list)
    lock = threading.Lock()

    def race(browser: Browser, node, name: str) -> None:
        for need_id in need_ids:
            barrier.wait(timeout=30)
            try:
                answer = browser.post(f"{node.url}/needs/{need_id}/claim")
                result = (name, answer.status, answer.text)
            except Exception as error:  # a timeout or a reset connection fails the test below
                result = (name, -1, repr(error))
            with lock:
                outcomes[need_id].append(result)

    threads = [threading.Thread(target=race, args=args) for args in
               ((first, node_a, "a"), (second, node_b, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for need_id in need_ids:
        statuses = sorted(status for _, status, _ in outcomes[need_id])
        assert statuses == [303, 409], (need_id, [(n, s, t[:300]) for n, s, t in outcomes[need_id]])
        loser = next(text for _, status, text in outcomes[need_id] if status == 409)
        assert "抢先认领" in loser  # the clear answer: someone else was quicker
    with tx() as s:
        claims = s.scalars(select(Claim).where(Claim.need_id.in_(need_ids))).all()
        by_need = collections.Counter(c.need_id for c in claims if c.status == "active")
        assert by_need == {need_id: 1 for need_id in need_ids}
        assert len(claims) == len(need_ids)
        assert set(s.scalars(select(Need.status).where(Need.id.in_(need_ids)))) == {"claimed"}


def _outbox_delivered_exactly_once(cluster, mailbox, tx) -> None:
    """Every mail row (resets, and the claim notices to the posting staff) sent, each exactly once."""

    def sent_rows():
        with tx() as s:
            rows = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "mail")).all()
            return rows if all(r.status == "sent" for r in rows) else []

    deadline = time.monotonic() + 20
    while not (rows := sent_rows()) or len(mailbox.received()) < len(rows):
        assert time.monotonic() < deadline, f"mail not all delivered\n{cluster.logs()}"
        time.sleep(0.25)
    time.sleep(1.5)  # a duplicate would come from a worker's next poll: give both one more round
    received = collections.Counter(m["Message-ID"] for m in mailbox.received())
    assert received == collections.Counter(message_id(r.idempotency_key, SENDER) for r in rows)


def _wait_for(collect, count: int, cluster, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while len(found := collect()) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} {what} arrived\n{cluster.logs()}"
        time.sleep(0.25)
    time.sleep(1.5)  # and no second copy on the workers' next rounds
    return collect()
