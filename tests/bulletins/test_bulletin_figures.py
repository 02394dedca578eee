"""The bulletin's figures for March 2025 in 涡阳县, recounted by hand from a month arranged through the real
services: needs by category and their medians, aid by source (a voided entry counting nowhere, a corrected
one once, a purchase-funded one under 政府购买服务), blind spots and unclaimed needs at the month's end,
organisations' activity, family referrals, and the change from last month's stored bulletin."""

from datetime import date

import pytest
from bulletin_world import add_step, at, entry, move_need
from sqlalchemy import select

from marketplace.bulletins import generate
from marketplace.bulletins.period import Month
from marketplace.ledger import corrections
from marketplace.needs import lifecycle
from marketplace.needs.models import Need
from marketplace.referrals.models import FamilyReferral
from marketplace.registry.models import Household

MARCH = Month(date(2025, 3, 1))


@pytest.fixture
def march(world, tx):
    """The month (see the module's docstring); returns the ids the tests need."""
    h = {}
    for name, region, flags in (("h1", "341621100", []), ("h2", "341621101", ["重病"]), ("h3", "341621100", ["孤儿"]),
                                ("h4", "341621101", ["重残"]), ("h5", "341621100", ["高龄", "独居"]),
                                ("h6", "341622100", ["重病"]), ("h7", "341622100", [])):
        h[name] = world.household(region, "dibao", hardships=flags).id
    org = world.org_id
    d = date
    entry(tx, h["h1"], d(2025, 3, 5), amount_fen=62800, category="basic_living")
    entry(tx, h["h2"], d(2025, 3, 10), source="charity", quantity=5, organization_id=org, category="goods")
    entry(tx, h["h2"], d(2025, 3, 11), source="volunteer", hours=3.0, category="care")
    entry(tx, h["h3"], d(2025, 3, 12), source="charity", hours=10.0, organization_id=org, funding="purchase",
          category="care")
    voided = entry(tx, h["h4"], d(2025, 3, 13), amount_fen=100000, category="medical")
    corrected = entry(tx, h["h1"], d(2025, 3, 14), source="charity", amount_fen=50000, organization_id=org,
                      category="education")
    entry(tx, h["h7"], d(2025, 3, 15), amount_fen=99900, category="basic_living")  # the other county
    entry(tx, h["h1"], d(2025, 2, 27), amount_fen=11100, category="basic_living")  # February
    entry(tx, h["h1"], d(2025, 4, 1), amount_fen=22200, category="basic_living")  # April
    with tx() as s:
        staff = world.user(s, world.poster)
        corrections.correct(s, staff, s.get(Household, h["h4"]), voided.id,
                            corrections.CorrectionInput(reason="重复录入", void=True))
        corrections.correct(s, staff, s.get(Household, h["h1"]), corrected.id,
                            corrections.CorrectionInput(reason="金额有误", amount_fen=30000))

    n1 = world.need("verified", category="education")
    move_need(tx, n1.id, posted=at(d(2025, 3, 2)), claimed=at(d(2025, 3, 5)), verified=at(d(2025, 3, 12)))
    n2 = world.need("in_progress", form="service", category="care", title="独居老人助浴")
    move_need(tx, n2.id, posted=at(d(2025, 3, 3)), claimed=at(d(2025, 3, 4)))
    n3 = world.need("claimed", category="education", title="高中学费")
    move_need(tx, n3.id, posted=at(d(2025, 2, 20)), claimed=at(d(2025, 3, 1)))
    n4 = world.need("open", category="medical", title="康复费用")
    with tx() as s:
        lifecycle.move(s, s.get(Need, n4.id), "expire", None, "截止日期已过")
    move_need(tx, n4.id, posted=at(d(2025, 3, 1)), expired=at(d(2025, 3, 20)))
    n5 = world.need("claimed", form="goods", category="goods", title="冬季棉被")
    move_need(tx, n5.id, posted=at(d(2025, 2, 10)), claimed=at(d(2025, 4, 3)))  # open all March
    n6 = world.need("open", form="service", category="care", title="上门理发")
    move_need(tx, n6.id, posted=at(d(2025, 3, 25)))  # open, but not 14 days by the month's end
    n7 = world.need("open", category="education", title="教辅资料")
    move_need(tx, n7.id, posted=at(d(2025, 3, 2)))
    n8 = world.need("open", category="education", title="小学生校服费用", household=world.household("341622100"),
                    poster=world.other_county)
    move_need(tx, n8.id, posted=at(d(2025, 3, 5)))
    world.need("draft", category="education", title="草稿需求待发布")
    n10 = world.need("claimed", category="education", title="大学学费")
    move_need(tx, n10.id, posted=at(d(2025, 3, 5)), claimed=at(d(2025, 3, 6)))
    add_step(tx, n10.id, "claimed", "open", at(d(2025, 3, 8)))  # released, then claimed again: first claim counts
    add_step(tx, n10.id, "open", "claimed", at(d(2025, 3, 15)))

    with tx() as s:
        def referral(created, due, status="open", outcome=None, decided=None):
            s.add(FamilyReferral(referrer_id=world.charity, organization_id=org, region_code="341621100",
                                 hardships="重病", description="家中老人重病", consent=True, consent_note="本人口头同意",
                                 due_on=due, status=status, outcome=outcome, decided_at=decided, created_at=created))
        referral(at(d(2025, 3, 3)), d(2025, 3, 17))  # filed, overdue at the month's end
        referral(at(d(2025, 2, 25)), d(2025, 3, 11), "decided", "dibao", at(d(2025, 3, 4)))  # decided in March
        referral(at(d(2025, 3, 10)), d(2025, 3, 24), "decided", "temporary", at(d(2025, 4, 2)))  # overdue then
    return {"org": org}


def test_figures_of_a_county_month_recounted_by_hand(tx, march):
    with tx() as s:
        p = generate.generate(s, "341621", MARCH).payload
    assert (p["region"], p["region_name"], p["month"], p["complete"]) == ("341621", "亳州市涡阳县", "2025-03", True)

    needs = {r["category"]: r for r in p["needs"]["rows"]}
    assert set(needs) == {"education", "care", "medical"}  # categories with something to report, in order
    assert [r["category"] for r in p["needs"]["rows"]] == ["care", "education", "medical"]
    assert {k: needs["education"][k] for k in ("posted", "claimed", "fulfilled", "expired")} == \
        {"posted": 3, "claimed": 3, "fulfilled": 1, "expired": 0}
    assert (needs["education"]["days_to_claim"], needs["education"]["days_to_verify"]) == (3.0, 10.0)  # 3, 9, 1
    assert {k: needs["care"][k] for k in ("posted", "claimed", "fulfilled", "expired", "days_to_claim")} == \
        {"posted": 2, "claimed": 1, "fulfilled": 0, "expired": 0, "days_to_claim": 1.0}
    assert (needs["medical"]["posted"], needs["medical"]["expired"], needs["medical"]["days_to_claim"]) == (1, 1, None)
    total = p["needs"]["total"]
    assert (total["posted"], total["claimed"], total["fulfilled"], total["expired"]) == (6, 4, 1, 1)
    assert (total["days_to_claim"], total["days_to_verify"]) == (2.0, 10.0)  # median of 3, 1, 9, 1

    aid = {r["source"]: r for r in p["delivered"]["rows"]}
    assert [r["source"] for r in p["delivered"]["rows"]] == ["government", "charity", "volunteer", "purchase"]
    # The voided 1,000 元 counts nowhere; the corrected 500 元 counts once, as 300 元.
    assert aid["government"] == {"source": "government", "money_fen": 62800, "goods": 0, "hours": 0.0,
                                 "households": 1, "entries": 1}
    assert aid["charity"] == {"source": "charity", "money_fen": 30000, "goods": 5, "hours": 0.0, "households": 2,
                              "entries": 2}
    assert aid["volunteer"] == {"source": "volunteer", "money_fen": 0, "goods": 0, "hours": 3.0, "households": 1,
                                "entries": 1}
    assert aid["purchase"] == {"source": "purchase", "money_fen": 0, "goods": 0, "hours": 10.0, "households": 1,
                               "entries": 1}
    assert p["delivered"]["total"] == {"source": "", "money_fen": 92800, "goods": 5, "hours": 13.0, "households": 3,
                                       "entries": 5}

    # h4 (aided only by the voided entry) and h5 (高龄 and 独居, never aided); h2 and h3 were helped in March.
    assert p["watch"]["blind_spots"] == 2
    # Open at the month's end and posted 14 days before it: n5 (claimed in April) and n7.
    assert p["watch"]["unclaimed"] == 2

    org, individual = p["organizations"]
    assert (org["name"], org["taken"], org["verified"]) == ("涡阳县慈善协会", 3, 1)
    assert (org["money_fen"], org["goods"], org["hours"], org["entries"], org["households"]) == (30000, 5, 10.0, 3, 3)
    assert (individual["name"], individual["kind"], individual["taken"], individual["hours"]) == \
        (None, "individual", 1, 3.0)

    assert p["family_referrals"] == {"filed": 2, "decided": {"dibao": 1}, "decided_total": 1, "overdue": 2}
    assert p["offers"] is None and p["routing"] is None  # sections only where there is something
    assert p["previous"] is None
    assert p["headline"] == {"posted": 6, "claimed": 4, "fulfilled": 1, "expired": 1, "households": 3,
                             "money_fen": 92800, "blind_spots": 2, "unclaimed": 2}


def test_the_prefecture_counts_its_counties_and_nothing_names_a_household(tx, march):
    with tx() as s:
        p = generate.generate(s, "341600", MARCH).payload
        codes = set(s.scalars(select(Household.public_code)))
    assert p["region_name"] == "亳州市"
    government = p["delivered"]["rows"][0]
    assert (government["money_fen"], government["households"], government["entries"]) == (162700, 2, 2)
    assert p["needs"]["total"]["posted"] == 7  # n8 of 蒙城县 as well
    assert p["watch"]["blind_spots"] == 3  # h6 of 蒙城县 too
    text = str(p)
    assert not any(code in text for code in codes)


def test_change_from_last_months_stored_bulletin(tx, march):
    with tx() as s:
        first = generate.generate(s, "341621", MARCH).payload
    assert first["previous"] is None
    with tx() as s:
        february = generate.generate(s, "341621", MARCH.previous).payload
        march_again = generate.generate(s, "341621", "2025-03").payload
    assert february["headline"]["posted"] == 2 and february["headline"]["money_fen"] == 11100
    assert march_again["previous"]["month"] == "2025-02"
    assert march_again["previous"]["headline"] == february["headline"]
    with tx() as s:  # regenerating replaces the month's row, it does not add one
        assert generate.count(s) == 2


def test_a_running_month_says_so_and_an_unknown_division_is_refused(tx, world):
    from marketplace.errors import Invalid

    world.need("open")
    with tx() as s:
        p = generate.generate(s, "341621", Month.of(date.today())).payload
        assert p["complete"] is False and p["needs"]["total"]["posted"] == 1
        for code in ("341621100", "340000", "999999", "abc"):
            with pytest.raises(Invalid):
                generate.generate(s, code, MARCH)
