"""An organisation's directory totals are kept by the ledger writer as entries and corrections are appended,
and always equal a full recount over the ledger (a line of corrections once, by its latest entry; voids
nowhere)."""

from datetime import date

from sqlalchemy import select, text

from marketplace.ledger import org_totals
from marketplace.ledger.corrections import CorrectionInput, correct
from marketplace.ledger.models import LedgerEntry, OrganizationTotal
from marketplace.ledger.service import append
from marketplace.organizations import directory
from marketplace.organizations.models import Organization
from marketplace.registry.models import Household


def maintained(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(select(OrganizationTotal.organization_id, OrganizationTotal.entries,
                                   OrganizationTotal.amount_fen))
        return {org: (n, int(amount)) for org, n, amount in rows if n or amount}


def recounted(engine) -> dict:
    with engine.connect() as conn:
        return {org: (n, int(amount)) for org, n, amount in conn.execute(org_totals.full_count())}


def _goods(world, household_id, org_id, quantity=20):
    with world.tx() as s:
        return append(s, s.get(Household, household_id), source="charity", category="food", title="米面油",
                      quantity=quantity, unit="份", occurred_on=date(2026, 6, 1), organization_id=org_id)


def _correct(world, entry_id, **fields):
    with world.tx() as s:
        entry = s.get(LedgerEntry, entry_id)
        return correct(s, world.user(s, world.poster), s.get(Household, entry.household_id), entry_id,
                       CorrectionInput(reason="核对后更正", **fields))


def _entry_of(world, need):
    with world.tx() as s:
        return s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()


def test_verifications_corrections_and_voids_keep_totals_equal_to_a_recount(world, engine, client):
    org = world.org_id
    with world.tx() as s:
        other = s.scalars(select(Organization.id).where(Organization.id != org)).first()
    first, second, third = (_entry_of(world, world.need("verified")) for _ in range(3))
    assert maintained(engine) == recounted(engine) == {org: (3, 900000)}

    fixed = _correct(world, first.id, amount_fen=100000)  # 3000 yuan was 1000
    assert maintained(engine) == recounted(engine) == {org: (3, 700000)}
    _correct(world, fixed.id, amount_fen=150000)  # a correction of the correction: the line still counts once
    assert maintained(engine) == recounted(engine) == {org: (3, 750000)}
    _correct(world, second.id, void=True)  # voided: counts nowhere
    assert maintained(engine) == recounted(engine) == {org: (2, 450000)}

    goods = _goods(world, third.household_id, other)
    _goods(world, third.household_id, other, quantity=5)
    assert maintained(engine) == recounted(engine) == {org: (2, 450000), other: (2, 0)}
    voided = _correct(world, goods.id, void=True)
    assert maintained(engine) == recounted(engine) == {org: (2, 450000), other: (1, 0)}
    # Restoring a voided entry by correcting the void brings it back.
    _correct(world, voided.id, quantity=20)
    assert maintained(engine) == recounted(engine) == {org: (2, 450000), other: (2, 0)}

    # Government aid credited to no organisation moves nothing.
    with world.tx() as s:
        paid = append(s, s.get(Household, third.household_id), source="government", category="medical",
                      title="大病医疗救助", amount_fen=120000, occurred_on=date(2026, 6, 1))
    _correct(world, paid.id, void=True)
    assert maintained(engine) == recounted(engine) == {org: (2, 450000), other: (2, 0)}

    # The public pages show the maintained figures.
    with world.tx() as s:
        [shown] = [o for o in directory.approved(s) if o.id == org]
        assert (shown.entries, shown.amount_fen) == (2, 450000)
    page = client.get(f"/organizations/{org}").get_data(as_text=True)
    assert "2 条" in page and "4,500" in page


def test_a_rolled_back_append_leaves_the_totals_as_they_were(world, engine):
    need = world.need("verified")
    entry = _entry_of(world, need)
    before = maintained(engine)
    try:
        with world.tx() as s:
            correct(s, world.user(s, world.poster), s.get(Household, entry.household_id), entry.id,
                    CorrectionInput(reason="核对后更正", void=True))
            raise RuntimeError("the request failed after the correction")
    except RuntimeError:
        pass
    assert maintained(engine) == recounted(engine) == before == {world.org_id: (1, 300000)}


def test_recount_rebuilds_the_totals_and_fills_them_only_when_empty(world, engine, tx):
    world.need("verified")
    with tx() as s:
        s.execute(text("UPDATE organization_total SET entries = 7"))
        assert org_totals.recount_if_empty(s) is False
        org_totals.recount(s)
    assert maintained(engine) == {world.org_id: (1, 300000)}
    with tx() as s:
        s.execute(text("DELETE FROM organization_total"))
        assert org_totals.recount_if_empty(s) is True
    assert maintained(engine) == recounted(engine) == {world.org_id: (1, 300000)}
