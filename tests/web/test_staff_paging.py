"""Every staff list shows at most 50 rows a page, with 上一页 / 第 N 页 / 下一页 links (issue 12,
marketplace/paging.py): page 1 holds 50 rows and links to page 2, page 2 the rest; rows of another county
never appear on any page; a page number that is not one is a 422 naming it, never a 500; and a page costs
the same number of queries whatever it shows (no query per row)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from marketplace.claims.models import Claim
from marketplace.fulfilment.models import Fulfilment
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.outbox.models import OutboxMessage
from marketplace.pledges.models import Pledge
from marketplace.registry.models import AccessLog, Household
from support import login

IN_SCOPE = 57  # rows in the reader's county (涡阳县): a full page and 7 more
NOW = datetime.now(UTC)


def _ago(i: int) -> datetime:
    return NOW - timedelta(minutes=i)


def _needs(s, world, household, marker: str, count: int, status: str) -> list[int]:
    s.execute(insert(Need), [
        {"household_id": household.id, "region_code": household.region_code, "category": "goods", "form": "money",
         "title": f"{marker}{i:03d}", "description": "", "urgency": "normal", "target_amount_fen": 100000,
         "deadline": date.today() + timedelta(days=30), "status": status, "version": 1, "contact_basis": "none",
         "created_by_id": world.city, "created_at": _ago(i), "updated_at": _ago(i), "published_at": _ago(i)}
        for i in range(count)])
    return list(s.scalars(select(Need.id).where(Need.title.startswith(marker)).order_by(Need.title)))


def _per_county(world, build):
    """`build(s, household, marker, count)` for 涡阳县 (IN_SCOPE rows) and 蒙城县 (3 rows)."""
    ours, theirs = world.household(), world.household(region_code="341622100")
    with world.tx() as s:
        build(s, ours, "本县", IN_SCOPE)
        build(s, theirs, "外县", 3)


def needs_list(world):
    _per_county(world, lambda s, h, marker, n: _needs(s, world, h, marker, n, "open"))
    return "/staff/needs"


def verify_queue(world):
    def build(s, household, marker, count):
        for i, need_id in enumerate(_needs(s, world, household, marker, count, "submitted")):
            claim = Claim(need_id=need_id, claimant_id=world.charity, organization_id=world.org_id, status="started",
                          claimed_at=_ago(99), expires_at=NOW + timedelta(days=7), started_at=_ago(98))
            s.add(claim)
            s.flush()
            s.add(Fulfilment(need_id=need_id, claim_id=claim.id, submitted_by_id=world.charity, submitted_at=_ago(i),
                             delivered_on=date.today(), summary="已交付", amount_fen=100000))
    _per_county(world, build)
    return "/staff/verify"


def households_list(world):
    with world.tx() as s:
        s.execute(insert(Household), [
            {"public_code": f"HP{region[4:6]}{i:05d}", "household_no": f"{marker}{i:03d}", "tier": "dibao", "region_code": region,
             "members": 2, "hardships": [], "status": "active", "created_at": NOW, "updated_at": NOW}
            for marker, region, count in (("本县", "341621100", IN_SCOPE), ("外县", "341622100", 3))
            for i in range(count)])
    return "/staff/households"


def chain_page(world):
    ours, neighbour = world.household(), world.household()
    with world.tx() as s:
        for household, marker, count in ((ours, "本县", IN_SCOPE), (neighbour, "外县", 3)):
            for i in range(count):
                append(s, s.get(Household, household.id), source="government", category="other",
                       title=f"{marker}{i:03d}", amount_fen=62800, occurred_on=date(2025, 1, 1) + timedelta(days=i))
    return f"/staff/households/{ours.public_code}"


def access_log(world):
    def build(s, household, marker, count):
        s.execute(insert(AccessLog), [
            {"user_id": world.poster, "household_id": household.id, "action": "view_chain",
             "purpose": f"{marker}{i:03d}", "path": "/staff/households/x", "at": _ago(count - i)}
            for i in range(count)])
    _per_county(world, build)
    return "/staff/access-log"


def _mail(status):
    def build(world):
        with world.tx() as s:
            s.execute(insert(OutboxMessage), [
                {"topic": "mail", "kind": "need_verified", "idempotency_key": f"{marker}{i:03d}", "status": status,
                 "region": region, "payload": {"to": f"{marker}{i:03d}@example.cn", "subject": "通知", "region": region, "sealed": ""},
                 "attempts": 1, "next_attempt_at": _ago(i), "created_at": _ago(i), "sent_at": _ago(i)}
                for marker, region, count in (("本县", "341621100", IN_SCOPE), ("外县", "341622100", 3))
                for i in range(count)])
        return f"/staff/outbox?status={status}"
    return build


def pledge_queue(world):
    def build(s, household, marker, count):
        s.execute(insert(Pledge), [
            {"need_id": need_id, "organization_id": world.org_id, "pledger_id": world.charity, "amount_fen": 1000,
             "status": "submitted", "pledged_at": _ago(99), "delivered_on": date.today(), "summary": "已交付",
             "submitted_at": _ago(i), "submitted_by_id": world.charity}
            for i, need_id in enumerate(_needs(s, world, household, marker, count, "open"))])
    _per_county(world, build)
    return "/staff/pledges"


def vetting_queue(world):
    with world.tx() as s:
        s.execute(insert(Organization), [
            {"name": f"{marker}{i:03d}公益社", "uscc": f"91{region[:6]}MA{i:06d}X", "region_code": region,
             "kind": "social_org", "status": "pending", "created_at": _ago(i)}
            for marker, region, count in (("本县", "341621100", IN_SCOPE), ("外县", "341622100", 3))
            for i in range(count)])
    return "/staff/organizations?status=pending&kind=social_org"  # the World's own are charities


PAGES = {"需求管理": needs_list, "核验队列": verify_queue, "救助对象": households_list, "救助链": chain_page,
         "访问日志": access_log, "邮件队列（已发送）": _mail("sent"), "邮件队列（发送失败）": _mail("failed"),
         "认捐核验": pledge_queue, "组织审核": vetting_queue}


def _shown(body: str) -> set[str]:
    """The in-scope rows on a page, by their number (a row may name its marker twice, e.g. in a form)."""
    assert "外县" not in body, "a row of another county is shown"
    return set(re.findall(r"本县(\d{3})", body))


def _with(url: str, page) -> str:
    return f"{url}{'&' if '?' in url else '?'}page={page}"


@pytest.mark.parametrize("name", PAGES)
def test_a_staff_list_shows_50_rows_a_page_of_its_own_region(app, client, world, name):
    url = PAGES[name](world)
    login(client, "poster@guoyang.gov.cn")  # 涡阳县 staff with every duty
    statements = []
    event.listen(app.extensions["marketplace.engine"], "before_cursor_execute",
                 lambda *args: statements.append(args[2]))

    first = client.get(url)
    first_queries = len(statements)
    statements.clear()
    second = client.get(_with(url, 2))
    assert first.status_code == second.status_code == 200
    first_body, second_body = first.get_data(as_text=True), second.get_data(as_text=True)
    page_one, page_two = _shown(first_body), _shown(second_body)
    assert len(page_one) == 50 and len(page_two) == IN_SCOPE - 50 and not page_one & page_two
    assert 'aria-label="分页"' in first_body and 'aria-current="page">第 1' in first_body
    link = re.search(r'<a href="([^"]+)" rel="next">下一页</a>', first_body)
    assert link and "page=2" in link[1].replace("&amp;", "&")
    assert "下一页" not in second_body and 'rel="prev">上一页</a>' in second_body
    # Related data comes in a bounded number of queries: 50 rows cost no more than a handful.
    assert first_queries <= len(statements) + 1, statements

    for bad in ("0", "-1", "abc", "999999", "1.5"):
        response = client.get(_with(url, bad))
        assert response.status_code == 422, (bad, response.status_code)
        assert "page 须为1至10000的整数" in response.get_data(as_text=True)
    past = client.get(_with(url, 5)).get_data(as_text=True)
    assert not _shown(past) and re.search(r'rel="prev">回到第 [12] 页</a>', past)


def test_page_links_keep_the_other_query_arguments(client, world):
    needs_list(world)
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/needs?status=open").get_data(as_text=True)
    assert "第 1 / 2 页，共 57 条" in body
    assert '<a href="/staff/needs?status=open&amp;page=2" rel="next">下一页</a>' in body
    assert "暂无需求" in client.get("/staff/needs?status=verified").get_data(as_text=True)


def test_other_counties_households_and_chains_stay_out_of_reach(client, world):
    url = chain_page(world)
    other = world.household(region_code="341622100")
    login(client, "staff@mengcheng.gov.cn")
    assert client.get(url).status_code == 403 and client.get(_with(url, 2)).status_code == 403
    login(client, "poster@guoyang.gov.cn")
    assert client.get(f"/staff/households/{other.public_code}?page=2").status_code == 403


def test_the_chain_pages_newest_first_and_corrections_link_across_pages(client, world):
    url = chain_page(world)
    login(client, "poster@guoyang.gov.cn")
    first = client.get(url).get_data(as_text=True)
    timeline = first.split('id="timeline"')[1].split("</ol>")[0]
    assert timeline.index("本县056") < timeline.index("本县007")  # newest first
    assert "该户救助链共 57 条记录" in first
    second = client.get(_with(url, 2)).get_data(as_text=True)
    assert "第 1 条" in second and "第 57 条" not in second.split('id="timeline"')[1]
    # The correction form offers this page's entries: the first entry is corrected from page 2.
    with world.tx() as s:
        entry_id = s.scalar(select(func.min(LedgerEntry.id)).join(Household, Household.id == LedgerEntry.household_id)
                            .where(Household.public_code == url.rsplit("/", 1)[1]))
    assert f'<option value="{entry_id}"' in second and f'<option value="{entry_id}"' not in first
