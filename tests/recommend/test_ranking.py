"""为我推荐 ranks open needs by fit, closeness, urgency, waiting, little aid and the cliff tiers; the
order and the reasons are pinned on a small 涡阳县 / 蒙城县 fixture."""

import pytest
from recommend_support import TODAY, aid, declare, need, ranked
from sqlalchemy import event

from marketplace.recommend.service import recommend

CHUDIAN, GAOLU, SHUANGJIAN = "341621100", "341621101", "341622100"


@pytest.fixture
def pinned(world):
    """The charity (涡阳县慈善协会) serves 生活照料 in 楚店镇. Four open needs:
    A 楚店镇, 低保边缘, care, waited 21 days, no aid              -> 3+5+0+0.7+3+2      = 13.7
    C 双涧镇 (蒙城县), 刚性支出困难, care, soon, 10 days, no aid   -> 3+1+1.5+0.33+3+2   = 10.83
    B 高炉镇, 低保, education, urgent, 3 days, 1 aid (+1 too old)  -> 0+3.5+3+0.1+1.5+0  = 8.1
    D 楚店镇 but only one 低保 household there (county only), care, today, 3 aid -> 3+3.5+0+0+0.75 = 7.25
    """
    marginal = [world.household(CHUDIAN, "marginal") for _ in range(5)]  # five: 楚店镇 may be named
    rigid = [world.household(SHUANGJIAN, "rigid_expense") for _ in range(5)]
    gaolu = [world.household(GAOLU, "dibao") for _ in range(5)]
    lone = world.household(CHUDIAN, "dibao")
    ids = {
        "A": need(world, marginal[0], waited=21),
        "C": need(world, rigid[0], urgency="soon", waited=10),
        "B": need(world, gaolu[0], category="education", urgency="urgent", waited=3, title="大一新生学费缺口"),
        "D": need(world, lone, title="冬季取暖电暖器"),
    }
    aid(world, gaolu[0], days_ago=40)
    aid(world, gaolu[0], days_ago=400)  # older than 12 months: does not count
    for days in (10, 20, 30):
        aid(world, lone, days_ago=days)
    declare(world, world.charity, "care", CHUDIAN)
    return ids


def test_the_order_and_reasons_are_pinned(world, pinned):
    result = ranked(world, world.charity)
    assert [r.need.id for r in result] == [pinned[k] for k in "ACBD"]
    assert [r.score for r in result] == [13.7, 10.833, 8.1, 7.25]
    assert [" · ".join(r.reasons) for r in result] == [
        "同乡镇 · 服务类别相符 · 已等待21天 · 近12个月未获帮扶 · 低保边缘家庭",
        "同市 · 服务类别相符 · 较急 · 已等待10天 · 近12个月未获帮扶 · 刚性支出困难家庭",
        "同县 · 紧急 · 已等待3天 · 近12个月仅获1次帮扶",
        "同县 · 服务类别相符",
    ]


def test_weights_from_configuration_change_the_order(world, pinned):
    result = ranked(world, world.charity, {"urgency": 20})
    assert [r.need.id for r in result] == [pinned[k] for k in "BCAD"]
    quiet = ranked(world, world.charity, {"urgency": 0, "waiting": 0})
    assert "紧急" not in quiet[0].reasons + quiet[1].reasons + quiet[2].reasons
    assert not any(reason.startswith("已等待") for r in quiet for reason in r.reasons)


def test_the_app_reads_weights_from_the_environment(monkeypatch):
    from marketplace.config import load_config

    monkeypatch.setenv("MARKETPLACE_RECOMMEND_WEIGHTS", '{"urgency": 20, "waiting_cap_days": 30}')
    weights = load_config()["RECOMMEND_WEIGHTS"]
    assert weights["urgency"] == 20 and weights["waiting_cap_days"] == 30 and weights["region"] == 5
    monkeypatch.setenv("MARKETPLACE_RECOMMEND_WEIGHTS", '{"urgncy": 20}')
    with pytest.raises(ValueError, match="unknown recommendation weight 'urgncy'"):
        load_config()


def test_a_generalised_area_gives_no_township_reason_nor_township_rank(world, pinned):
    """D's household is the only 低保 one in 楚店镇: the page shows 涡阳县 only, so D ranks and reads as
    同县, never 同乡镇, even though it lies in the declared township."""
    d = next(r for r in ranked(world, world.charity) if r.need.id == pinned["D"])
    assert d.need.area == "涡阳县"
    assert "同乡镇" not in d.reasons and "同县" in d.reasons


def test_without_a_declaration_the_home_region_is_used(world, pinned):
    declare(world, world.charity)  # nothing declared: the organization's 涡阳县 is its area
    result = ranked(world, world.charity)
    reasons = {r.need.id: r.reasons for r in result}
    assert reasons[pinned["A"]][0] == "同县" and reasons[pinned["C"]][0] == "同市"
    assert not any("服务类别相符" in r for r in reasons.values())


def test_voided_and_corrected_aid_counts_by_its_latest_entry(world):
    from marketplace.ledger.corrections import CorrectionInput, correct

    voided, fixed = world.household(tier="other"), world.household(tier="other")
    ids = {"voided": need(world, voided), "fixed": need(world, fixed, title="冬季取暖电暖器")}
    given = {"voided": aid(world, voided), "fixed": aid(world, fixed)}
    with world.tx() as s:
        staff = world.user(s, world.poster)
        correct(s, staff, voided, given["voided"], CorrectionInput("录入错误，该户未领取", void=True))
        correct(s, staff, fixed, given["fixed"], CorrectionInput("金额录入有误", amount_fen=30000))
    reasons = {r.need.id: r.reasons for r in ranked(world, world.charity)}
    assert "近12个月未获帮扶" in reasons[ids["voided"]]
    assert "近12个月仅获1次帮扶" in reasons[ids["fixed"]]


def test_a_volunteer_sees_only_service_needs(world):
    households = [world.household(tier="marginal") for _ in range(2)]
    service = need(world, households[0], form="service", title="上门助浴服务")
    need(world, households[1], form="money")
    assert [r.need.id for r in ranked(world, world.volunteer)] == [service]


def test_closed_and_other_city_needs_are_not_recommended(world):
    from marketplace.auth.service import create_user
    from marketplace.regions.service import ensure_regions

    with world.tx() as s:
        ensure_regions(s, [("341200", "阜阳市", "prefecture", "340000"), ("341221", "临泉县", "county", "341200")])
        fuyang = create_user(s, email="staff@linquan.gov.cn", password="correct-horse-battery", display_name="临泉",
                             role="staff", region_code="341221", duties=["need_posting"]).id
    open_one = need(world, world.household())
    world.need("claimed")
    need(world, world.household("341221"), title="冬季取暖电暖器", poster=fuyang)
    assert [r.need.id for r in ranked(world, world.charity)] == [open_one]


def test_members_of_unapproved_organizations_are_told_why(world):
    from marketplace.errors import Forbidden

    need(world, world.household())
    with pytest.raises(Forbidden, match="尚未通过民政部门审核"):
        ranked(world, world.pending_member)


def test_queries_do_not_grow_with_the_number_of_needs(world, engine):
    def count_queries(n_needs):
        for nth in range(n_needs):
            household = world.household(CHUDIAN if nth % 2 else GAOLU, "marginal")
            need(world, household, title=f"冬季取暖费用缺口{nth}")
            aid(world, household)
        statements = []

        def listener(_conn, _cursor, statement, *_):
            statements.append(statement)

        with world.tx() as s:
            user = world.user(s, world.charity)  # the page has the signed-in user already
            event.listen(engine, "before_cursor_execute", listener)
            try:
                result = recommend(s, user, None, TODAY)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(result), len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    few, few_queries = count_queries(3)
    many, many_queries = count_queries(30)
    assert (few, many) == (3, 20)
    assert few_queries == many_queries <= 6
