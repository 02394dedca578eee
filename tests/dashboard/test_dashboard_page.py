"""工作台: staff land on it; each figure counts what its list shows, in the reader's region only; the trend's
months; snapshots for counties, live counting for townships; refusals for everyone else; English."""

import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
from dashboard_support import arrange, figure, number, set_claim_expiry, set_published
from sqlalchemy import select, update

from marketplace.auth import totp
from marketplace.auth.models import AppUser
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need, NeedHistory
from marketplace.reports import snapshots
from marketplace.reports.filters import ReportFilters
from marketplace.reports.models import ReportSnapshot
from support import csrf_from, login

sys.path.insert(0, str(Path(__file__).parent.parent / "i18n"))
from english_crawl import Allowance, allowance_from_database, read_page  # noqa: E402

CHINA = ZoneInfo("Asia/Shanghai")
POSTER, TOWNSHIP, OTHER = "poster@guoyang.gov.cn", "chudian@guoyang.gov.cn", "staff@mengcheng.gov.cn"
TODO = ("todo-evidence", "todo-expiring", "todo-referrals-overdue", "todo-referrals-due", "todo-unclaimed",
        "todo-routed")


def dashboard(client, email) -> str:
    login(client, email)
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def opened(client, href: str) -> str:
    """The list a figure links to, as the browser opens it (the #section is the browser's business)."""
    response = client.get(href.split("#")[0])
    assert response.status_code == 200, href
    return response.get_data(as_text=True)


def section(body: str, heading_id: str, next_id: str) -> str:
    return body.split(f'id="{heading_id}"')[1].split(f'id="{next_id}"')[0]


def trend_rows(body: str) -> list[tuple[str, int, int]]:
    return [(m, int(p), int(v)) for m, p, v in
            re.findall(r'<th scope="row">(\d{4}-\d{2})</th><td>(\d+)</td><td>(\d+)</td>', body)]


def _month(moment) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(CHINA).strftime("%Y-%m")


def expected_trend(world, prefix: str) -> tuple[Counter, Counter]:
    """Needs posted and verified per month in `prefix`, counted in Python from the rows themselves."""
    with world.tx() as s:
        published = s.scalars(select(Need.published_at).where(Need.region_code.startswith(prefix),
                                                              Need.published_at.is_not(None))).all()
        verified = s.scalars(select(NeedHistory.at).join(Need, Need.id == NeedHistory.need_id).where(
            Need.region_code.startswith(prefix), NeedHistory.to_status == "verified")).all()
    return Counter(_month(p) for p in published), Counter(_month(v) for v in verified)


def test_staff_land_on_the_dashboard_after_signing_in(client, world):
    response = login(client, POSTER)
    assert response.headers["Location"] == "/staff/dashboard"
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>工作台</h1>" in body and "今日待办" in body and "趋势" in body
    nav = body.split('aria-label="主导航"')[1].split("</nav>")[0]
    staff_links = re.findall(r'<a href="(/staff/[^"]*)">', nav)
    assert staff_links[0] == "/staff/dashboard" and "/staff/bulletins" in staff_links
    # Asked for a page before signing in, staff still go there, not to the dashboard.
    other = client.application.test_client()
    token = csrf_from(other.get("/login?next=/staff/reports"))
    back = other.post("/login?next=/staff/reports", data={"email": POSTER, "password": "correct-horse-battery",
                                                           "csrf_token": token})
    assert back.headers["Location"] == "/staff/reports"


def test_the_second_step_of_a_two_factor_sign_in_lands_on_the_dashboard_too(app, client, world):
    with app.test_request_context(), world.tx() as s:
        user = s.get(AppUser, world.poster)
        secret = totp.pending_secret(s, user)
        assert totp.confirm(s, user, pyotp.TOTP(secret).at(utcnow().timestamp() - 30)) is not None
    assert login(client, POSTER).headers["Location"].endswith("/login/2fa")
    token = csrf_from(client.get("/login/2fa"))
    done = client.post("/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == "/staff/dashboard"
    assert client.get("/staff/dashboard").status_code == 200


def test_each_figure_counts_the_county_and_links_to_a_list_of_exactly_those(client, world):
    county = arrange(world)
    body = dashboard(client, POSTER)
    assert {item: number(body, item) for item in (*TODO, "todo-pledges", "todo-orgs")} == {
        "todo-evidence": 2, "todo-pledges": 0, "todo-expiring": 1, "todo-referrals-overdue": 1,
        "todo-referrals-due": 1, "todo-unclaimed": 2, "todo-routed": 1, "todo-orgs": 1}
    # Each link's text says what the number is.
    assert figure(body, "todo-evidence")[0] == "2 份帮扶凭证待核验"
    assert figure(body, "todo-expiring")[0] == "1 个认领须在 48 小时内开始帮扶"
    assert figure(body, "todo-referrals-due")[0] == "1 件困难家庭转介 2 个工作日内到期"
    assert figure(body, "todo-unclaimed")[0] == "2 条需求发布超过 14 天仍无人认领"

    queue = opened(client, figure(body, "todo-evidence")[1])
    assert county.evidence.title in queue and county.evidence_other_town.title in queue
    assert county.evidence_elsewhere.title not in queue
    assert "认捐" in opened(client, figure(body, "todo-pledges")[1])
    expiring = opened(client, figure(body, "todo-expiring")[1])
    assert county.expiring.title in expiring and "共 1 个认领" in expiring
    assert county.not_expiring.title not in expiring and county.expiring_elsewhere.title not in expiring
    overdue = opened(client, figure(body, "todo-referrals-overdue")[1])
    assert f"referral-{county.overdue_referral}" in overdue and f"referral-{county.due_referral}" not in overdue
    due = opened(client, figure(body, "todo-referrals-due")[1])
    assert f"referral-{county.due_referral}" in due
    href = figure(body, "todo-unclaimed")[1]
    assert href.endswith("#unclaimed-h")
    unclaimed = section(opened(client, href), "unclaimed-h", "lapsed-h")
    assert county.unclaimed.title in unclaimed and county.posted_months_ago.title in unclaimed
    assert county.fresh.title not in unclaimed
    routed = opened(client, figure(body, "todo-routed")[1])
    assert county.routed.title in routed and "涡阳县教育局" in routed and county.fresh.title not in routed
    assert "待审核公益社" in opened(client, figure(body, "todo-orgs")[1])
    # Referrals past their due date are flagged above, as on the reports page (referrals/_overdue.html).
    assert 'id="referrals-overdue"' in body


def test_the_trend_blind_spots_and_cliff_of_the_county(client, world):
    arrange(world)
    body = dashboard(client, POSTER)
    rows = trend_rows(body)
    now = utcnow()
    assert len(rows) == 12 and rows[-1][0] == _month(now) and len({m for m, _p, _v in rows}) == 12
    assert rows[0][0] == _month(now.astimezone(CHINA).replace(day=1) - timedelta(days=320))
    posted, verified = expected_trend(world, "341621")
    assert {m: p for m, p, _v in rows if p} == dict(posted)
    assert {m: v for m, _p, v in rows if v} == dict(verified) == {_month(now): 2}
    assert sum(p for _m, p, _v in rows) == 10 and len(posted) >= 2  # this month's and three months ago

    text, href = figure(body, "trend-blind-spots")
    assert number(body, "trend-blind-spots") == 2 and href.endswith("#blind-h") and "救助盲区" in text
    assert 'id="blind-h"' in opened(client, href)
    text, href = figure(body, "trend-cliff")
    # 3,000 yuan over the county's two 低保 households against 3,000 yuan to its one 低保边缘 household.
    assert text.startswith("低保边缘、刚性支出困难家庭户均获助为低保、特困户的 200%")
    assert "户均 1,500 元" in text and "户均 3,000 元" in text and href.endswith("#cliff-h")


def test_a_township_member_sees_their_township_only(client, world):
    county = arrange(world)
    body = dashboard(client, TOWNSHIP)
    assert {item: number(body, item) for item in TODO} == {
        "todo-evidence": 1, "todo-expiring": 1, "todo-referrals-overdue": 1, "todo-referrals-due": 1,
        "todo-unclaimed": 1, "todo-routed": 1}
    assert number(body, "todo-orgs") == 0  # the county's organisations are not the township's to vet
    assert number(body, "trend-blind-spots") == 1
    posted, _verified = expected_trend(world, "341621100")
    assert {m: p for m, p, _v in trend_rows(body) if p} == dict(posted)
    assert county.evidence_other_town.title not in opened(client, figure(body, "todo-evidence")[1])
    assert county.posted_months_ago.title not in opened(client, figure(body, "todo-unclaimed")[1])
    # Another county's staff see none of 涡阳县's work.
    other = client.application.test_client()
    elsewhere = dashboard(other, OTHER)
    assert number(elsewhere, "todo-evidence") == 1 and number(elsewhere, "todo-expiring") == 1
    assert number(elsewhere, "todo-routed") == 0 and number(elsewhere, "todo-referrals-overdue") == 0
    assert county.expiring.title not in opened(other, "/staff/dashboard/expiring")
    assert county.routed.title not in opened(other, "/staff/dashboard/routed")


def test_staff_without_the_verification_duty_see_the_needs_waiting_not_the_queues(client, world):
    county = arrange(world)
    world.staff("reader@guoyang.gov.cn", "341621")
    body = dashboard(client, "reader@guoyang.gov.cn")
    text, href = figure(body, "todo-evidence")
    assert number(body, "todo-evidence") == 2 and href == "/staff/needs?status=submitted"
    listed = opened(client, href)
    assert county.evidence.title in listed and county.evidence_other_town.title in listed
    assert 'id="todo-pledges"' not in body and 'id="todo-orgs"' not in body
    assert "/staff/verify" not in body.split("<main")[1] and "/staff/pledges" not in body.split("<main")[1]


def test_expiring_claims_are_paged_most_urgent_first(app, client, world):
    first = world.need("claimed", title="第一个即将到期")
    second = world.need("claimed", title="第二个即将到期")
    set_claim_expiry(world, first.id, utcnow() - timedelta(hours=1))  # past: released on the worker's round
    set_claim_expiry(world, second.id, utcnow() + timedelta(hours=40))
    app.config["STAFF_PAGE_SIZE"] = 1
    login(client, POSTER)
    one = client.get("/staff/dashboard/expiring").get_data(as_text=True)
    assert first.title in one and second.title not in one and "已超期" in one and "第 1 / 2 页" in one
    two = client.get("/staff/dashboard/expiring?page=2").get_data(as_text=True)
    assert second.title in two and first.title not in two and "已超期" not in two
    past = client.get("/staff/dashboard/expiring?page=3").get_data(as_text=True)
    assert "本页没有认领。" in past and "回到第 2 页" in past


def test_a_county_reads_the_worker_snapshot_and_says_when_it_was_counted(client, world, tx):
    arrange(world)
    computed = utcnow()
    with tx() as s:
        snapshots.refresh(s, ReportFilters.default("341621", date.today()), computed)
    later = world.need("open", household=world.household("341621100"), category="medical", title="楚店镇快照之后的需求")
    set_published(world, later.id, utcnow() - timedelta(days=30))
    body = dashboard(client, POSTER)
    assert "统计时间" in body and number(body, "todo-unclaimed") == 2  # as counted by the worker
    assert len(trend_rows(body)) == 12
    posted, _verified = expected_trend(world, "341621")
    assert sum(p for _m, p, _v in trend_rows(body)) == sum(posted.values()) - 1  # the later need is not in it
    # A township reads its row of the county's snapshot; the counts of today's queues are always live.
    township = dashboard(client.application.test_client(), TOWNSHIP)
    assert "统计时间" in township and number(township, "todo-unclaimed") == 1
    assert number(township, "todo-evidence") == 1 and number(township, "trend-blind-spots") == 1
    # A snapshot older than two refresh rounds is not used: the county is counted live again.
    with tx() as s:
        s.execute(update(ReportSnapshot).values(computed_at=computed - timedelta(days=1)))
    again = client.get("/staff/dashboard").get_data(as_text=True)
    assert "统计时间" not in again and number(again, "todo-unclaimed") == 3


def test_everyone_but_staff_is_refused(client, world):
    for path in ("/staff/dashboard", "/staff/dashboard/expiring", "/staff/dashboard/routed"):
        anonymous = client.get(path)
        assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"], path
    for email in ("member@charity.org.cn", "helper@volunteer.cn"):
        other = client.application.test_client()
        assert login(other, email).headers["Location"] == "/my/claims"
        for path in ("/staff/dashboard", "/staff/dashboard/expiring", "/staff/dashboard/routed"):
            assert other.get(path).status_code == 403, (email, path)


def test_the_dashboard_and_its_lists_read_in_english(app, client, world, engine):
    arrange(world)
    world.in_english(world.poster)
    body = dashboard(client, POSTER)
    assert '<html lang="en">' in body
    assert figure(body, "todo-evidence")[0] == "2 pieces of evidence await verification"
    allowance = allowance_from_database(engine)
    allowed = Allowance(allowance.values, allowance.whole, allowance.tokens)
    for path in ("/staff/dashboard", "/staff/dashboard/expiring", "/staff/dashboard/routed"):
        html = client.get(path).get_data(as_text=True)
        assert [text for text, _ in read_page(html).texts if allowed.residue(text)] == [], path
