"""The k-anonymity figure (active households per township × tier) is maintained by every registry change in
its own transaction, and always equals a full recount over the households."""

import synthetic
from importing_support import base_row
from sqlalchemy import select, text

from marketplace.auth.models import AppUser
from marketplace.db import make_engine
from marketplace.migrate import upgrade
from marketplace.registry import tier_counts
from marketplace.registry.importing import import_registry
from marketplace.registry.models import Household, RegionTierCount
from marketplace.registry.moving import move_household
from marketplace.registry.service import add_household


def maintained(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(select(RegionTierCount.township, RegionTierCount.tier, RegionTierCount.households))
        return {(t, tier): n for t, tier, n in rows if n}  # a zero row means the same as no row


def recounted(engine) -> dict:
    with engine.connect() as conn:
        return {(t, tier): n for t, tier, n in conn.execute(tier_counts.full_count())}


def row(no: int, **overrides) -> dict:
    return base_row(户编号=f"34162100000{no:04d}", 身份证号=synthetic.make_id(seq=f"{no:03d}"), **overrides)


def test_imports_moves_and_additions_keep_the_counts_equal_to_a_recount(engine, vault, write, world):
    # Six 低保 households in 楚店镇 (341621100), two of them filed under a village; two 特困 in 341621101;
    # one filed at county level, which belongs to no township.
    first = [row(n) for n in range(1, 5)] + [row(n, 行政区划代码="341621100201") for n in (5, 6)] \
        + [row(n, 救助类别="特困", 行政区划代码="341621101") for n in (7, 8)] + [row(9, 行政区划代码="341621")]
    assert import_registry(engine, vault, write(first)).summary() == "imported=9 updated=0 unchanged=0 rejected=0"
    assert maintained(engine) == recounted(engine) == {("341621100", "dibao"): 6, ("341621101", "tekun"): 2}

    # Re-importing the same file changes nothing.
    import_registry(engine, vault, write(first, name="again.csv"))
    assert maintained(engine) == recounted(engine) == {("341621100", "dibao"): 6, ("341621101", "tekun"): 2}

    # Tier changes, a county-level household placed in a township, a village refined within its township,
    # and a new household: one batch.
    second = [row(1, 救助类别="低保边缘"), row(2, 救助类别="特困", 行政区划代码="341621100201"), *first[2:8],
              row(9, 行政区划代码="341621101"), row(10, 行政区划代码="341621101201")]
    second[2] = row(3, 行政区划代码="341621100202")
    result = import_registry(engine, vault, write(second, name="march.csv"))
    assert result.summary() == "imported=1 updated=4 unchanged=5 rejected=0", result.summary()
    assert maintained(engine) == recounted(engine) == {
        ("341621100", "dibao"): 4, ("341621100", "marginal"): 1, ("341621100", "tekun"): 1,
        ("341621101", "tekun"): 2, ("341621101", "dibao"): 2}

    # A move to another county, and a household added by hand.
    with world.tx() as s:
        mover = s.scalars(select(Household).where(Household.household_no == "341621000000004")).one()
        s.get(AppUser, world.city).duties = "registry_import"
        s.flush()
        move_household(s, world.user(s, world.city), mover, "341622100", "户主随子女迁居")
    world.household(region_code="341621101", tier="dibao")
    with world.tx() as s:
        add_household(s, tier="dibao", region_code="341621", members=2)  # county level: no township
    assert maintained(engine) == recounted(engine) == {
        ("341621100", "dibao"): 3, ("341621100", "marginal"): 1, ("341621100", "tekun"): 1,
        ("341621101", "tekun"): 2, ("341621101", "dibao"): 3, ("341622100", "dibao"): 1}

    # Leaving the registry (any ORM change of status, tier or region is seen), and coming back changed.
    with world.tx() as s:
        s.scalars(select(Household).where(Household.household_no == "341621000000007")).one().status = "exited"
        s.flush()
        back = s.scalars(select(Household).where(Household.household_no == "341621000000008")).one()
        back.status = "exited"
        s.flush()
        back.status, back.tier = "active", "dibao"
    assert maintained(engine) == recounted(engine) == {
        ("341621100", "dibao"): 3, ("341621100", "marginal"): 1, ("341621100", "tekun"): 1,
        ("341621101", "dibao"): 4, ("341622100", "dibao"): 1}


def test_a_failed_import_batch_leaves_the_counts_as_they_were(engine, vault, write):
    import_registry(engine, vault, write([row(n) for n in range(1, 4)]))
    before = maintained(engine)
    dry = import_registry(engine, vault, write([row(n) for n in range(4, 8)], name="dry.csv"), dry_run=True)
    assert dry.summary() == "imported=4 updated=0 unchanged=0 rejected=0"
    assert maintained(engine) == recounted(engine) == before == {("341621100", "dibao"): 3}


def test_recount_rebuilds_the_table_and_fills_it_only_when_empty(engine, world, tx):
    for _ in range(3):
        world.household(region_code="341621100", tier="dibao")
    with tx() as s:
        s.execute(text("UPDATE region_tier_count SET households = 99"))
    assert maintained(engine) == {("341621100", "dibao"): 99}
    with tx() as s:
        assert tier_counts.recount_if_empty(s) is False  # not empty: left alone
        tier_counts.recount(s)
    assert maintained(engine) == {("341621100", "dibao"): 3}
    with tx() as s:
        s.execute(text("DELETE FROM region_tier_count"))
        assert tier_counts.recount_if_empty(s) is True
    assert maintained(engine) == recounted(engine) == {("341621100", "dibao"): 3}


def test_the_migration_counts_the_households_already_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0012")
    engine = make_engine(url)
    with engine.begin() as conn:
        for code, level in (("341621", "county"), ("341621100", "township"), ("341621100201", "village")):
            conn.execute(text("INSERT INTO region (code, name, level, current) VALUES (:c, 'x', :l, 1)"),
                         {"c": code, "l": level})
        for n, (code, status) in enumerate((("341621100", "active"), ("341621100201", "active"),
                                            ("341621100", "inactive"), ("341621", "active"))):
            conn.execute(text("INSERT INTO household (public_code, tier, region_code, members, hardships, status, "
                              "created_at, updated_at) VALUES (:p, 'dibao', :c, 2, '[]', :s, '2026-01-01 00:00:00', "
                              "'2026-01-01 00:00:00')"), {"p": f"HAAAA222{n}", "c": code, "s": status})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    assert maintained(engine) == recounted(engine) == {("341621100", "dibao"): 2}
    engine.dispose()
