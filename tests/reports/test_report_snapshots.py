"""统计报表 from the worker's snapshots: the same figures as the live report, the time they were counted,
never stale, never across scopes, refreshed by the worker and by `marketplace reports refresh`."""

import csv
import dataclasses
import io
import json
import re
from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy import select, update
from sqlmodel import Session

from marketplace.claims.models import Claim
from marketplace.cli import main
from marketplace.ledger import corrections
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from marketplace.reports import snapshots
from marketplace.reports.filters import ReportFilters
from marketplace.reports.models import ReportSnapshot
from marketplace.reports.sections import Report
from marketplace.security.models import SecurityEvent
from marketplace.security.throttle import LOCAL
from support import login, run_worker_once

NOTE = re.compile(r'\n  <p class="hint">统计时间：<time datetime="[^"]+">([^<]+)</time>（每 10 分钟更新）</p>')
FRESH = timedelta(minutes=20)


def _aid(world, household, amount_yuan, **kw):
    with world.tx() as s:
        kw.setdefault("source", "government")
        kw.setdefault("category", "other")
        return append(s, s.get(Household, household.id), title=kw.pop("title", "临时救助金"),
                      amount_fen=amount_yuan * 100, occurred_on=date.today() - timedelta(days=20), **kw)


def _arrange(world):
    """Something in every section, in two counties: blind spots (one with an identity on record), an
    unclaimed need, a lapsed claim, aid on both sides of the cliff, charity aid, and a voided entry."""
    spots = [world.household(hardships=["重病"], name="张桂兰", id_number="341621195803127716",
                             phone="13912345678", address="涡阳县楚店镇张庄村12号")]
    spots += [world.household("341621101", hardships=["孤儿"], tier="dibao") for _ in range(4)]
    world.household("341622100", hardships=["重残"])
    dibao = world.household(tier="dibao")
    _aid(world, dibao, 600)
    wrong = _aid(world, dibao, 900)
    _aid(world, world.household(tier="marginal"), 100, source="charity", category="education",
         organization_id=world.org_id, title="助学金")
    with world.tx() as s:
        corrections.correct(s, world.user(s, world.poster), s.get(Household, dibao.id), wrong.id,
                            corrections.CorrectionInput("重复登记", void=True))
    waiting = world.need("open", title="冬季取暖电暖器")
    lapsed = world.need("claimed", title="卫生间加装扶手")
    with world.tx() as s:
        s.execute(update(Need).where(Need.id == waiting.id).values(published_at=utcnow() - timedelta(days=30)))
        claim = s.scalars(select(Claim).where(Claim.need_id == lapsed.id)).one()
        claim.status, claim.expires_at = "expired", utcnow() - timedelta(days=2)
    return spots


def _fragment(client, query=""):
    response = client.get(f"/staff/reports{query}", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _live_fragment(app, client, query=""):
    app.config["REPORT_REFRESH_MINUTES"] = 0
    try:
        return _fragment(client, query)
    finally:
        app.config["REPORT_REFRESH_MINUTES"] = 10


def _refresh(tx, now, **kw):
    with tx() as s:
        return snapshots.refresh_due(s, now, **kw)


def _shown(at) -> str:
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def test_a_snapshot_reads_back_exactly_as_the_live_report(world, tx, engine, monkeypatch):
    monkeypatch.setattr(snapshots, "CHUNK", 2)  # lists of several parts, pages across part boundaries
    _arrange(world)
    now = utcnow()
    for region in ("341600", "341621", "341621101"):
        filters = ReportFilters.default(region, date.today())
        with tx() as s:
            snapshots.refresh(s, filters, now)
        with Session(engine) as s:
            live, stored = Report(s, filters, max_age=None), Report(s, filters, max_age=FRESH)
            assert stored.unclaimed(limit=1) == live.unclaimed(limit=1) and stored.unclaimed() == live.unclaimed()
            assert stored.lapsed(limit=100) == live.lapsed(limit=100)
            assert stored.cliff() == live.cliff() and stored.coverage() == live.coverage()
            assert stored.sources() == live.sources()
            assert list(stored.iter_blind_spots()) == list(live.iter_blind_spots())
            for per_page in (1, 2, 3, 50):
                for page in (1, 2, 3, 6):
                    paged = dataclasses.replace(filters, page=page)
                    assert Report(s, paged, max_age=FRESH).blind_spots(per_page) == \
                        Report(s, paged, max_age=None).blind_spots(per_page), (region, per_page, page)
            # Every section but the 工作台's, which the dashboard reads (tests/dashboard).
            assert set(stored.computed_at) == set(snapshots.SECTIONS) - {"trend", "townships"} \
                and live.computed_at == {}
            assert all(at == now for at in stored.computed_at.values())
    with Session(engine) as s:
        city = Report(s, ReportFilters.default("341600", date.today()), max_age=FRESH)
        assert city.blind_spots(50)[1] == 6 and city.cliff() and city.coverage()
        assert city.unclaimed()[1] == 1 and city.lapsed()[1] == 1


def test_snapshots_hold_nothing_that_identifies_a_household_or_a_claimant(world, tx, engine):
    spots = _arrange(world)
    _refresh(tx, utcnow())
    with Session(engine) as s:
        payloads = s.scalars(select(ReportSnapshot.payload)).all()
    text = json.dumps(payloads, ensure_ascii=False)
    assert spots[0].public_code in text and "卫生间加装扶手" in text  # codes and need titles, as the page shows
    for needle in ("张桂兰", "341621195803127716", "13912345678", "张庄村", "member"):
        assert needle not in text


def test_the_page_from_snapshots_equals_the_live_page_and_says_when(app, client, world, tx):
    _arrange(world)
    login(client, "city@bozhou.gov.cn")
    first = utcnow() - timedelta(minutes=12)
    assert [region for region, _ in _refresh(tx, first)] == ["341600", "341621", "341622"]
    for query in ("", "?page=1", "?region=341621"):
        body = _fragment(client, query)
        assert NOTE.findall(body) == [_shown(first)] * 5, query
        assert NOTE.sub("", body) == _live_fragment(app, client, query)
    # A township, or filters other than the default, are counted live and say nothing about a time.
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    for query in ("?region=341621101", "?months=3", f"?region=341621&from={month_ago}"):
        assert "统计时间" not in _fragment(client, query)

    # New verified aid and a voided entry: the snapshot (still fresh) keeps the old figures...
    world.need("verified", household=world.household(tier="dibao"))
    with world.tx() as s:
        charity = s.scalars(select(LedgerEntry).where(LedgerEntry.title == "助学金")).one()
        corrections.correct(s, world.user(s, world.poster), s.get(Household, charity.household_id), charity.id,
                            corrections.CorrectionInput("登记错误", void=True))
    before = _fragment(client)
    assert NOTE.sub("", before) != _live_fragment(app, client)
    # ...until the next refresh, which the page shows by its time.
    second = utcnow()
    assert _refresh(tx, second)
    after = _fragment(client)
    assert NOTE.findall(after) == [_shown(second)] * 5
    assert NOTE.sub("", after) == _live_fragment(app, client)
    # 谁在哪里做什么: the voided 100 yuan of 助学金 gone, the verified 3,000 come.
    before, after = (re.sub(r' data-label="[^"]*"', "", page.split('id="who-h"')[1]) for page in (before, after))
    assert "<td>100</td>" in before and "<td>3,000</td>" not in before
    assert "<td>100</td>" not in after and "<td>3,000</td>" in after


def test_a_stale_snapshot_is_not_used(app, client, world, tx):
    household = world.household(tier="dibao")
    _refresh(tx, utcnow() - timedelta(minutes=21))
    _aid(world, household, 600)  # after the snapshot: only a live count knows it
    login(client, "city@bozhou.gov.cn")
    body = _fragment(client)
    assert "统计时间" not in body and "户均 <strong>600.00 元</strong>" in body


def test_a_county_clerk_never_gets_a_city_snapshot(client, world, tx):
    _arrange(world)
    other = world.household("341622100", hardships=["孤儿"])
    _refresh(tx, utcnow())
    login(client, "poster@guoyang.gov.cn")
    assert client.get("/staff/reports?region=341600").status_code == 403
    assert client.get("/staff/reports/blind-spots.csv?region=341600").status_code == 403
    body = _fragment(client)
    assert len(NOTE.findall(body)) == 5 and other.public_code not in body  # the county's own snapshot
    login(client, "chudian@guoyang.gov.cn")  # a township clerk: live, the township only
    body = _fragment(client)
    assert "统计时间" not in body and other.public_code not in body


def test_downloads_from_a_snapshot_match_the_live_ones_and_are_logged(app, client, world, tx, engine):
    _arrange(world)
    computed = utcnow()
    _refresh(tx, computed)
    login(client, "city@bozhou.gov.cn")

    def download(name):
        response = client.get(f"/staff/reports/{name}.csv")
        assert response.status_code == 200
        raw = response.get_data().decode("utf-8-sig")
        response.close()
        return list(csv.reader(io.StringIO(raw)))

    for name in ("blind-spots", "unclaimed", "lapsed-claims", "cliff", "who-what-where"):
        stored = download(name)
        app.config["REPORT_REFRESH_MINUTES"] = 0
        assert stored == download(name), name
        app.config["REPORT_REFRESH_MINUTES"] = 10
        assert len(stored) > 1, name
    with Session(engine) as s:
        events = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "export").order_by(SecurityEvent.id)).all()
    assert len(events) == 10 and all(e.region_code == "341600" and e.rows for e in events)
    assert [bool(e.detail.get("snapshot")) for e in events] == [True, False] * 5
    assert events[0].detail["snapshot"] == computed.astimezone(LOCAL).isoformat(timespec="minutes")


def _cliff_heads(engine):
    with Session(engine) as s:
        return s.execute(select(ReportSnapshot.scope_code, ReportSnapshot.computed_at)
                         .where(ReportSnapshot.section == "cliff", ReportSnapshot.params_key.not_like("%&part=%"))
                         .order_by(ReportSnapshot.scope_code)).all()


def test_the_worker_refreshes_what_is_due(app, world, tx, engine):
    _arrange(world)
    run_worker_once(app)
    heads = _cliff_heads(engine)
    assert [scope for scope, _ in heads] == ["341600", "341621", "341622"]
    run_worker_once(app)  # nothing due yet
    assert _cliff_heads(engine) == heads
    eleven = utcnow() - timedelta(minutes=11)
    with tx() as s:  # ten minutes pass
        s.execute(update(ReportSnapshot).values(computed_at=eleven))
    run_worker_once(app)
    times = [at for _, at in _cliff_heads(engine)]
    assert len(times) == 3 and all(snapshots._aware(at) > eleven + timedelta(minutes=10) for at in times)


def test_old_snapshots_are_deleted_and_the_command_refreshes_on_demand(world, tx, engine, database_url,
                                                                       monkeypatch):
    _arrange(world)
    yesterday = ReportFilters.default("341600", date.today() - timedelta(days=1))
    with tx() as s:  # yesterday's default filters: no page asks for them any more
        snapshots.refresh(s, yesterday, utcnow() - timedelta(minutes=30))
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["reports", "refresh"])
    assert result.exit_code == 0, result.output
    assert "341600: " in result.output and "refreshed=3" in result.output
    with Session(engine) as s:
        keys = set(s.scalars(select(ReportSnapshot.params_key).where(ReportSnapshot.section == "cliff")))
    today = [snapshots.params_key(ReportFilters.default(r, date.today())) for r in ("341600", "341621", "341622")]
    assert keys == {*today, *(f"{key}&part=0000" for key in today)}
    assert CliRunner().invoke(main, ["reports", "refresh"]).output.strip() == "refreshed=0"
    assert "refreshed=3" in CliRunner().invoke(main, ["reports", "refresh", "--force"]).output
