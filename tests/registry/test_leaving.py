"""Leaving the registry and coming back (retention counts from `left_at`): a household listed again by the
registry import is active again, its identity stored again if it had been purged, in bulk."""

from datetime import timedelta

import synthetic
from importing_support import base_row
from sqlalchemy import select

from marketplace.modelbase import utcnow
from marketplace.privacy import retention
from marketplace.registry import tier_counts
from marketplace.registry.importing import import_registry
from marketplace.registry.models import Household, HouseholdHistory, RegionTierCount

PERIODS = retention.Periods(identity=365, evidence=365, disclosures=365, access_log=365)


def row(no: int, **overrides) -> dict:
    return base_row(户编号=f"34162100000{no:04d}", 身份证号=synthetic.make_id(seq=f"{no:03d}"), **overrides)


def counts(engine) -> dict:
    with engine.connect() as conn:
        return {(t, tier): n for t, tier, n in conn.execute(
            select(RegionTierCount.township, RegionTierCount.tier, RegionTierCount.households)) if n}


def test_a_household_listed_again_comes_back_and_its_purged_identity_is_stored_again(engine, vault, write, tx):
    rows = [row(1), row(2), row(3)]
    assert import_registry(engine, vault, write(rows)).summary() == "imported=3 updated=0 unchanged=0 rejected=0"
    with tx() as s:
        purged, away = (s.scalars(select(Household).where(Household.household_no == row(n)["户编号"])).one()
                        for n in (1, 2))
        purged.status = away.status = "exited"
        s.flush()
        purged.left_at = utcnow() - timedelta(days=800)
        ids = purged.id, away.id
    assert retention.purge(engine, PERIODS)["identities"] == 1
    assert counts(engine) == {("341621100", "dibao"): 1}

    # The same file again: both are back, although the row of the one not purged is unchanged.
    result = import_registry(engine, vault, write(rows, name="again.csv"))
    assert result.summary() == "imported=0 updated=2 unchanged=1 rejected=0"
    with tx() as s:
        for household in (s.get(Household, i) for i in ids):
            assert (household.status, household.left_at, household.identity_purged_at) == ("active", None, None)
            assert vault.decrypt(household.head_name_enc) == "王秀英" and household.id_hmac
        history = s.scalars(select(HouseholdHistory).where(HouseholdHistory.household_id == ids[0])).one()
        assert history.changes["status"] == ["exited", "active"] and history.changes["id_number"] == "changed"
        assert "王秀英" not in str(history.changes)
    assert counts(engine) == {("341621100", "dibao"): 3}
    with tx() as s:
        tier_counts.recount(s)
    assert counts(engine) == {("341621100", "dibao"): 3}
