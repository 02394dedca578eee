"""阳光公示 figures recounted by hand on a small 亳州: needs and their steps month by month, aid by who delivered
it (a corrected entry once, a voided one not at all, a purchased service under 政府购买服务), flagged
households reached, organisations and volunteers active; small cells withheld with their complements, in
every payload alike, so an adversary adding up all the published payloads recovers nothing."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlmodel import Session
from test_suppression import attack

from marketplace.ledger import corrections
from marketplace.ledger.service import append
from marketplace.needs import lifecycle
from marketplace.needs.models import Need, NeedHistory
from marketplace.registry.models import Household
from marketplace.reports.filters import months_before
from marketplace.transparency import figures, store
from marketplace.transparency.window import Window
from marketplace.vocabulary import CATEGORIES
from marketplace.volunteering.shifts import LOCAL

NOW = datetime.combine(date.today(), time(12), LOCAL).astimezone(UTC)
WINDOW = Window.of(NOW)
TODAY = WINDOW.today
M = WINDOW.months  # M[11] is the current month
T1, T2, T3 = "341621100", "341621101", "341622100"  # 楚店镇, 高炉镇 (涡阳县); 双涧镇 (蒙城县)


def at(month: int, day: int, hour: int = 8) -> datetime:
    first = date.fromisoformat(M[month] + "-01")
    return datetime(first.year, first.month, day, hour, tzinfo=LOCAL).astimezone(UTC)


def _need(world, state, region, category="education", published=None, **kw):
    if region == T3:  # 蒙城县: its own staff post, the city's verify
        kw["poster"], world.verifier = world.other_county, world.city
    need = world.need(state, household=world.household(region), category=category,
                      title=kw.pop("title", f"公示测试需求{region}{category}"), **kw)
    if published is not None:
        with world.tx() as s:
            s.execute(update(Need).where(Need.id == need.id).values(published_at=published))
    return need


def _step(world, need, status, when):
    with world.tx() as s:
        s.execute(update(NeedHistory).where(NeedHistory.need_id == need.id, NeedHistory.to_status == status)
                  .values(at=when))


def _aid(world, household, yuan=None, day=None, **kw):
    with world.tx() as s:
        kw.setdefault("source", "government")
        kw.setdefault("category", "other")
        return append(s, s.get(Household, household.id), title=kw.pop("title", "临时救助金"),
                      amount_fen=None if yuan is None else yuan * 100, occurred_on=day or TODAY, **kw)


@pytest.fixture
def arranged(world):
    """涡阳县: 39 needs in two townships and flagged households; 蒙城县: needs claimed and verified month by
    month, one expired, and aid from government (one entry corrected, one voided), charity and purchase."""
    facts = {"titles": [], "households": []}
    published = at(9, 2)
    for region, counts in ((T1, {"care": 7, "education": 6, "medical": 5}),
                           (T2, {"care": 8, "education": 4, "medical": 9})):
        for category, count in counts.items():
            for n in range(count):
                title = f"公示需求{region[-3:]}{category}{n}"
                facts["titles"].append(title)
                _need(world, "open", region, category, published, title=title)
    # 蒙城县: six needs claimed in M[9] after 1, 2, 2, 3, 9, 12 days; four claimed and verified in M[10].
    for days in (1, 2, 2, 3, 9, 12):
        need = _need(world, "claimed", T3, published=at(9, 1))
        _step(world, need, "claimed", at(9, 1 + days, 9))
    for days in (3, 4, 5, 6):
        need = _need(world, "verified", T3, published=at(10, 1))
        _step(world, need, "claimed", at(10, 2, 9))
        _step(world, need, "verified", at(10, 1 + days, 9))
    stale = _need(world, "open", T3, published=NOW - timedelta(days=400))  # published before the window
    with world.tx() as s:
        lifecycle.move(s, s.get(Need, stale.id), "expire", None, "已过截止日期")
    _step(world, stale, "expired", at(8, 5))
    # Government aid to six households of 蒙城县; one entry corrected 500 -> 700, one voided.
    aided = [world.household(T3) for _ in range(6)]
    for household in aided:
        _aid(world, household, 100)
    wrong, void = _aid(world, aided[0], 500), _aid(world, aided[1], 900)
    with world.tx() as s:
        actor = world.user(s, world.other_county)
        corrections.correct(s, actor, s.get(Household, aided[0].id), wrong.id,
                            corrections.CorrectionInput("金额录入有误", amount_fen=70000))
        corrections.correct(s, actor, s.get(Household, aided[1].id), void.id,
                            corrections.CorrectionInput("重复登记", void=True))
    for _ in range(5):  # services the government bought from the charity
        _aid(world, world.household(T3), 200, source="charity", funding="purchase", organization_id=world.org_id,
             category="care")
    # Flagged households of 涡阳县: six in 楚店镇 (five reached lately, one 7 months ago), four in 高炉镇.
    flagged = [world.household(T1, hardships=["重病"]) for _ in range(5)]
    flagged.append(world.household(T1, hardships=["重残"], name="张桂兰", id_number="341621195803127716",
                                   phone="13912345678", address="涡阳县楚店镇张庄村12号"))
    for household in flagged[:5]:
        _aid(world, household, 50, day=TODAY - timedelta(days=3))
    _aid(world, flagged[5], 50, day=months_before(TODAY, 7))
    _aid(world, flagged[0], None, source="volunteer", hours=2.5, category="care", recorded_by_id=world.volunteer)
    for _ in range(3):
        world.household(T2, hardships=["孤儿"])
    world.household(T2, hardships=["高龄", "独居"])
    world.household(T2, hardships=["高龄"])  # old, not alone: not serious
    gone = world.household(T2, hardships=["重病"])
    with world.tx() as s:
        s.get(Household, gone.id).status = "exited"
    with world.tx() as s:
        facts["households"] = list(s.scalars(select(Household.public_code)))
        facts["titles"] += list(s.scalars(select(Need.title)))
    return facts


@pytest.fixture
def payloads(arranged, tx, engine):
    with tx() as s:
        store.refresh_all(s, NOW)
    with Session(engine) as s:
        return {(row.scope_code, row.category): row.payload for row in s.scalars(select(store.PublicFigures))}


def table(payload, name):
    return next(t for t in payload["tables"] if t["id"] == name)


def test_needs_by_area_withholds_the_small_cell_and_its_complements(payloads):
    county = table(payloads[("341621", "")], "needs_by_area")
    assert [r["key"] for r in county["rows"]] == [T1, T2] and county["rows"][0]["name"] == "楚店镇"
    assert county["cols"] == ["care", "education", "medical"]
    # 高炉镇 has 4 households with an education need: withheld, with its row's smallest other cell (care, 8)
    # and, down the columns, 楚店镇's education and care; 楚店镇's 5 medical needs are published.
    assert county["cells"] == [[None, None, 5], [None, None, 9]]
    assert county["row_totals"] == [18, 21] and county["col_totals"] == [15, 10, 14] and county["total"] == 39
    city = table(payloads[("341600", "")], "needs_by_area")
    assert [r["key"] for r in city["rows"]] == ["341621", "341622"]
    assert city["cells"][0] == [15, 10, 14] and city["row_totals"][0] == 39
    education = table(payloads[("341621", "education")], "needs_by_area")
    assert education["cols"] == ["education"] and education["cells"] == [[None], [None]] and education["total"] == 10
    assert payloads[("", "")]["tables"] == payloads[("341600", "")]["tables"]  # the root descends to the city
    assert payloads[("", "")]["scope_name"] == "亳州市" and payloads[("341622", "")]["scope_name"] == "蒙城县"


def test_needs_and_days_month_by_month(payloads):
    county = payloads[("341622", "")]
    assert county["months"] == list(M) and len(M) == 12 and M[11] == f"{TODAY:%Y-%m}"
    by_month = table(county, "needs_by_month")
    assert by_month["cols"] == ["posted", "claimed", "fulfilled", "expired"] and by_month["row_totals"] is None
    # Posted 6 in M[9], 4 in M[10] (withheld, and so 6 with it); the stale need was posted before the window.
    assert [row[0] for row in by_month["cells"]] == [0] * 9 + [None, None, 0]
    assert [row[1] for row in by_month["cells"]] == [0] * 9 + [None, None, 0]
    assert [row[2] for row in by_month["cells"]] == [0] * 10 + [None, 0]
    assert [row[3] for row in by_month["cells"]] == [0] * 8 + [None] + [0] * 3
    assert by_month["col_totals"] == [10, 10, None, None]
    days = table(county, "days_by_month")
    assert days["cells"][9] == [2.5, None] and days["cells"][10] == [None, None]  # four: too few for a median
    assert days["col_totals"] == [1.5, None]
    assert all(row == [None, None] for n, row in enumerate(days["cells"]) if n not in (9, 10))


def test_delivered_by_source_counts_corrections_once_and_purchases_apart(payloads):
    delivered = table(payloads[("341622", "")], "delivered_by_source")
    assert [r["key"] for r in delivered["rows"]] == ["government", "charity", "volunteer", "purchase"]
    assert delivered["cols"] == ["money_yuan", "goods", "hours", "households", "entries"]
    # Government: 6 x 100 + the corrected 700 (not 500, not the voided 900), 6 households. Its 7 entries are
    # withheld: the city's published government entries less 涡阳县's (withheld beside a lone volunteer's
    # entry there) would give them away.
    assert delivered["cells"][0] == [1300, 0, 0.0, 6, None]
    # Charity: the 4 verified needs (3,000 yuan each): 4 households, withheld; the purchased services (5
    # households) are the complement in every column where charity is withheld.
    assert delivered["cells"][1] == [None, 0, 0.0, None, None]
    assert delivered["cells"][2] == [0, 0, 0.0, 0, 0]
    assert delivered["cells"][3] == [None, 0, 0.0, None, None]
    assert delivered["col_totals"] == [1300 + 12000 + 1000, 0, 0.0, 15, 16]
    money = table(payloads[("341622", "")], "money_by_month")
    assert money["cells"][11] == [1300, None, 0, None] and money["row_totals"][11] == 14300
    assert money["col_totals"] == [1300, None, 0, None] and money["total"] == 14300
    assert all(row == [0, 0, 0, 0] for row in money["cells"][:11])
    # In the care filter the purchases stand alone; published there, they would give away the charity's
    # money in the all-categories table: withheld there too.
    care = table(payloads[("341622", "care")], "delivered_by_source")
    assert care["cells"][3][0] is None


def test_volunteer_hours_and_participation(payloads):
    delivered = table(payloads[("341621", "")], "delivered_by_source")
    assert delivered["cells"][0][0] == 300 and delivered["cells"][2][2] is None  # one volunteer household
    assert delivered["col_totals"][0] == 300 and delivered["col_totals"][3] == 6
    active = table(payloads[("341621", "")], "participation")
    assert active["cols"] == ["organizations", "volunteers"]
    assert active["cells"] == [[0, 1], [0, 0]] and active["col_totals"] == [0, 1]
    city = table(payloads[("341600", "")], "participation")
    assert city["cells"] == [[0, 1], [1, 0]] and city["col_totals"] == [1, 1]


def test_flagged_households_reached(payloads):
    reach = table(payloads[("341621", "")], "flagged_reach")
    assert reach["cols"] == ["flagged", "reached", "share"]
    # 楚店镇 6 flagged, 5 reached; 高炉镇 4 (3 orphans, one old person living alone), none reached: its 4
    # is withheld, and so 楚店镇's 6 and both shares.
    assert reach["cells"] == [[None, 5, None], [None, 0, None]]
    assert reach["col_totals"] == [10, 5, 50.0]
    assert table(payloads[("341621", "medical")], "flagged_reach") == reach  # the category filter is ignored


def test_payloads_hold_nothing_private(arranged, payloads):
    text = json.dumps(list(payloads.values()), ensure_ascii=False)
    for secret in ["张桂兰", "341621195803127716", "13912345678", "张庄村", *arranged["households"],
                   *set(arranged["titles"])]:
        assert secret not in text


def test_every_scope_and_category_is_stored(payloads):
    assert set(payloads) == {(scope, category) for scope in ("", "341600", "341621", "341622")
                             for category in ("", *CATEGORIES)}
    for (scope, category), payload in payloads.items():
        assert payload["scope"] == scope and payload["category"] == category and payload["version"] == 1
        assert [t["id"] for t in payload["tables"]] == ["needs_by_area", "needs_by_month", "days_by_month",
                                                        "delivered_by_source", "money_by_month", "participation",
                                                        "flagged_reach"]
        assert payload["reach_months"] == 6 and payload["seconds"] >= 0
        assert datetime.fromisoformat(payload["computed_at"]) == NOW


ADDITIVE_COLUMNS = {"needs_by_area": None, "needs_by_month": None, "money_by_month": None,
                    "delivered_by_source": {"money_yuan", "goods", "hours", "entries"},
                    "flagged_reach": {"flagged", "reached"}}


def _adversary_lines(payloads):
    """What a reader can add up, from the payloads alone: every table's rows, columns and totals; the
    all-categories payload against the ten category payloads; the city against its counties' payloads."""
    lines = []
    for (scope, category), payload in payloads.items():
        for t in payload["tables"]:
            if t["id"] not in ADDITIVE_COLUMNS:
                continue
            name = (scope, category, t["id"])
            wanted = ADDITIVE_COLUMNS[t["id"]]
            columns = [j for j, col in enumerate(t["cols"]) if wanted is None or col in wanted]
            if t.get("row_totals") is not None and wanted is None:
                lines += [([(*name, "cell", i, j) for j in columns], (*name, "row", i)) for i in range(len(t["rows"]))]
                if t.get("total") is not None:
                    lines.append(([(*name, "row", i) for i in range(len(t["rows"]))], (*name, "total")))
            if t.get("col_totals") is not None:
                lines += [([(*name, "cell", i, j) for i in range(len(t["rows"]))], (*name, "col", j)) for j in columns]
                if t.get("total") is not None:
                    lines.append(([(*name, "col", j) for j in columns], (*name, "total")))
    scopes = {scope for scope, _ in payloads}
    for scope in scopes:
        for table_id in ("needs_by_month", "money_by_month", "delivered_by_source"):
            whole = table(payloads[(scope, "")], table_id)
            for position, _ in _positions(whole):
                lines.append(([(scope, k, table_id, *position) for k in CATEGORIES], (scope, "", table_id, *position)))
    for category in ("", *CATEGORIES):  # the city = its two counties, month by month and source by source
        for table_id in ("needs_by_month", "money_by_month", "delivered_by_source"):
            for position, _ in _positions(table(payloads[("341600", category)], table_id)):
                lines.append(([(county, category, table_id, *position) for county in ("341621", "341622")],
                              ("341600", category, table_id, *position)))
    return lines


def _positions(t):
    for i, row in enumerate(t["cells"]):
        for j, _ in enumerate(row):
            if t["id"] != "delivered_by_source" or t["cols"][j] != "households":
                yield ("cell", i, j), row[j]
    for name in ("row_totals", "col_totals"):
        for n, value in enumerate(t.get(name) or ()):
            if t["id"] != "delivered_by_source" or t["cols"][n] != "households":
                yield (name[:3], n), value
    if t.get("total") is not None or "total" in t:
        yield ("total",), t.get("total")


def _recovered(payloads) -> set:
    """The withheld figures an adversary works out from every published payload."""
    known, hidden = {}, set()
    for (scope, category), payload in payloads.items():
        for t in payload["tables"]:
            if t["id"] not in ADDITIVE_COLUMNS:
                continue
            for position, value in _positions(t):
                key = (scope, category, t["id"], *position)
                if value is None:
                    hidden.add(key)
                else:
                    known[key] = value
    lines = [(members, total) for members, total in _adversary_lines(payloads)
             if all(m in known or m in hidden for m in (*members, total))]
    assert hidden  # the arrangement has small cells
    return hidden & attack(known, lines).keys()


def test_the_adversary_adding_up_every_payload_recovers_nothing(payloads):
    assert _recovered(payloads) == set()


def test_without_complements_the_adversary_recovers_figures(arranged, engine):
    with Session(engine) as s:
        computed = figures.compute_all(s, NOW, complements=False)
    recovered = _recovered({(c.scope, c.category): c.payload for c in computed})
    assert ("341621", "", "needs_by_area", "cell", 1, 1) in recovered  # 高炉镇's 4 education needs


def test_months_are_calendar_months_in_china(world, tx, engine):
    first_of_month = at(10, 1, 0) + timedelta(minutes=30)  # 00:30 in China, still the month before in UTC
    assert first_of_month.astimezone(UTC).month != int(M[10][5:])
    for _ in range(5):
        _need(world, "open", T1, published=first_of_month)
    with tx() as s:
        store.refresh_all(s, NOW)
    with Session(engine) as s:
        by_month = table(store.read(s, "341621", "").payload, "needs_by_month")
    assert [row[0] for row in by_month["cells"]][9:11] == [0, 5]
