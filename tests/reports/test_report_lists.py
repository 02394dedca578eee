"""The report lists on a small world where the right answer is known."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text, update

from marketplace.claims.models import Claim
from marketplace.ledger import corrections
from marketplace.ledger.service import append
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from marketplace.reports import blind_spots, cliff, coverage
from marketplace.reports.filters import ReportFilters, months_before

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def filters(region="341621", months=6, date_from=date(2025, 11, 21), date_to=TODAY):
    return ReportFilters(region, date_from, date_to, months)


def aid(world, household, on, amount_yuan=None, *, source="government", category="other", hours=None,
        organization_id=None, title="临时救助金"):
    with world.tx() as s:
        h = s.get(Household, household.id)
        return append(s, h, source=source, category=category, title=title,
                      amount_fen=amount_yuan * 100 if amount_yuan is not None else None, hours=hours,
                      occurred_on=on, organization_id=organization_id)


def codes(rows):
    return {row.public_code for row in rows}


def test_blind_spots_are_serious_hardship_without_recent_aid(world, session):
    cutoff = months_before(TODAY, 6)  # 2026-05-20: aid on that day is older than six months
    never = world.household(hardships=["重病"], tier="marginal")
    old = world.household("341621101", tier="tekun", hardships=["高龄", "独居"])
    aid(world, old, cutoff)
    just_inside = world.household(hardships=["重残"])
    aid(world, just_inside, cutoff + timedelta(days=1))
    recent_any_kind = world.household(hardships=["孤儿", "未成年"])
    aid(world, recent_any_kind, TODAY - timedelta(days=3), source="charity", category="education")
    world.household(hardships=["高龄"])  # old alone is not living alone
    world.household(hardships=["单亲", "失业"])  # hardship, but not a serious flag
    world.household(hardships=[])
    left = world.household(hardships=["失能"])
    other_county = world.household("341622100", hardships=["留守儿童"])
    with world.tx() as s:
        s.execute(update(Household).where(Household.id == left.id).values(status="exited"))

    rows, total = blind_spots.blind_spots(session, filters(), per_page=None)
    assert codes(rows) == {never.public_code, old.public_code} and total == 2
    by_code = {r.public_code: r for r in rows}
    assert by_code[old.public_code].last_aid == cutoff and by_code[never.public_code].last_aid is None
    assert by_code[old.public_code].hardships == ["高龄", "独居"]

    township, _ = blind_spots.blind_spots(session, filters("341621100"), per_page=None)
    assert codes(township) == {never.public_code}
    city, _ = blind_spots.blind_spots(session, filters("341600"), per_page=None)
    assert codes(city) == {never.public_code, old.public_code, other_county.public_code}
    # A longer window reaches back to the old aid; a shorter one drops the household aided 6 months ago.
    longer, _ = blind_spots.blind_spots(session, filters(months=7), per_page=None)
    assert codes(longer) == {never.public_code}
    page, total = blind_spots.blind_spots(session, filters(), per_page=1)
    assert len(page) == 1 and total == 2
    beyond = ReportFilters("341621", date(2025, 11, 21), TODAY, 6, page=3)
    past_the_end, total = blind_spots.blind_spots(session, beyond, per_page=1)
    assert past_the_end == [] and total == 2
    streamed = list(blind_spots.iter_blind_spots(session, filters(), chunk=1))
    assert streamed == rows


def test_flags_match_in_either_json_spelling(world, engine, session):
    """An encoder may have written 孤儿 as "\\u5b64\\u513f" or as the characters: both are found, and a
    flag is matched as a whole list element."""
    plain = world.household(hardships=[])
    cast = "CAST(:v AS JSON)" if engine.dialect.name == "postgresql" else ":v"
    with world.tx() as s:
        s.execute(text(f"UPDATE household SET hardships = {cast} WHERE id = :id"),
                  {"v": '["孤儿"]', "id": plain.id})
    escaped = world.household(hardships=["孤儿"])
    with world.tx() as s:
        stored = s.scalar(text("SELECT CAST(hardships AS VARCHAR) FROM household WHERE id = :id"), {"id": escaped.id})
    assert "孤儿" in stored or "\\u5b64" in stored
    rows, _ = blind_spots.blind_spots(session, filters(), per_page=None)
    assert codes(rows) == {plain.public_code, escaped.public_code}


def test_needs_unclaimed_for_more_than_14_days(world, session):
    waiting = world.need("open", title="冬季取暖电暖器")
    fresh = world.need("open", title="卫生间加装扶手")
    claimed = world.need("claimed", title="助学金缺口补助")
    elsewhere = world.need("open", household=world.household("341622100"), title="危房屋顶修缮",
                           poster=world.other_county)
    with world.tx() as s:
        for need, age in ((waiting, timedelta(days=14, minutes=1)), (fresh, timedelta(days=13, hours=23)),
                          (claimed, timedelta(days=30)), (elsewhere, timedelta(days=30))):
            s.execute(update(Need).where(Need.id == need.id).values(published_at=NOW - age))
    rows, total = blind_spots.unclaimed_needs(session, filters(), now=NOW)
    assert [r.need_id for r in rows] == [waiting.id] and total == 1
    assert rows[0].days == 14 and rows[0].title == "冬季取暖电暖器"


def test_claims_not_started_before_they_expire(world, session):
    released = world.need("claimed", title="冬季取暖电暖器")
    overdue = world.need("claimed", title="卫生间加装扶手")
    pending = world.need("claimed", title="助学金缺口补助")
    started = world.need("in_progress", title="康复训练陪护")
    with world.tx() as s:
        def claim_of(need):
            return s.scalars(select(Claim).where(Claim.need_id == need.id)).one()

        claim_of(released).status, claim_of(released).expires_at = "expired", NOW - timedelta(days=2)
        claim_of(overdue).expires_at = NOW - timedelta(hours=1)
        claim_of(pending).expires_at = NOW + timedelta(days=3)
        claim_of(started).expires_at = NOW - timedelta(days=1)
    rows, total = blind_spots.lapsed_claims(session, filters(), now=NOW)
    assert {r.need_id: r.status for r in rows} == {released.id: "expired", overdue.id: "active"} and total == 2
    assert {r.organization for r in rows} == {"涡阳县慈善协会"}
    earlier, _ = blind_spots.lapsed_claims(session, filters(date_to=date(2026, 11, 10)), now=NOW)
    assert earlier == []


def test_aid_per_household_by_tier_shows_the_cliff(world, session):
    dibao = [world.household(tier="dibao") for _ in range(2)]
    marginal = [world.household(tier="marginal") for _ in range(4)]
    world.household("341622100", tier="marginal")  # another county: neither counted nor its aid
    day = TODAY - timedelta(days=30)
    aid(world, dibao[0], day, 800)
    aid(world, dibao[0], day, 400)
    aid(world, dibao[1], day, 600)
    aid(world, dibao[1], date(2024, 1, 1), 9999)  # outside the period
    aid(world, marginal[0], day, 200)
    wrong = aid(world, marginal[1], day, 500)
    doubled = aid(world, marginal[2], day, 300)
    with world.tx() as s:
        staff = world.user(s, world.poster)
        corrections.correct(s, staff, s.get(Household, marginal[1].id), wrong.id,
                            corrections.CorrectionInput("重复登记", void=True))
        corrections.correct(s, staff, s.get(Household, marginal[2].id), doubled.id,
                            corrections.CorrectionInput("金额录入错误", amount_fen=10000))
    rows = {r.tier: r for r in cliff.aid_by_tier(session, filters())}
    assert list(rows) == ["dibao", "tekun", "marginal", "rigid_expense", "monitored", "other"]
    assert (rows["dibao"].households, rows["dibao"].entries, rows["dibao"].amount_fen) == (2, 3, 180000)
    assert rows["dibao"].amount_per_household == 900.0 and rows["dibao"].entries_per_household == 1.5
    # 200 + the corrected 100; the voided 500 and the superseded 300 do not count.
    assert (rows["marginal"].households, rows["marginal"].entries, rows["marginal"].amount_fen) == (4, 2, 30000)
    assert rows["marginal"].amount_per_household == 75.0
    assert rows["tekun"].households == 0 and rows["tekun"].amount_per_household == 0.0
    gap = cliff.gap(list(rows.values()))
    assert (gap.inside, gap.edge, gap.ratio) == (900.0, 75.0, 12.0)


def test_who_does_what_where(world, session):
    household = world.household()
    other = world.household("341621101")
    world.need("verified", household=household)
    world.need("verified", household=other, title="冬季助学金缺口")
    world.need("verified", household=other, form="service", category="care", title="每周上门助浴")
    aid(world, household, TODAY - timedelta(days=10), 500, category="medical", title="医疗救助")
    aid(world, other, TODAY - timedelta(days=10), 700, category="medical", title="医疗救助")
    aid(world, world.household("341622100"), TODAY - timedelta(days=10), 900, category="medical")
    rows = coverage.who_does_what_where(session, filters(date_to=date.today() + timedelta(days=1)))
    table = {(r.organization, r.category, r.township): (r.entries, r.households, r.amount_fen, r.hours)
             for r in rows}
    assert table == {
        ("政府救助", "medical", "341621100"): (1, 1, 50000, 0.0),
        ("政府救助", "medical", "341621101"): (1, 1, 70000, 0.0),
        # Each chain entry carries its need form's own figure only: money needs no hours, a service need
        # no amount (issue 14; the test world's evidence posts all three).
        ("涡阳县慈善协会", "education", "341621100"): (1, 1, 300000, 0.0),
        ("涡阳县慈善协会", "education", "341621101"): (1, 1, 300000, 0.0),
        ("志愿者（个人）", "care", "341621101"): (1, 1, 0, 3.0),
    }
    assert rows[0].organization == "政府救助"

