"""The assistance chain is hash-linked: any change made outside the platform is found and named."""

from click.testing import CliRunner
from sqlalchemy import select, text

from marketplace.cli import main
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import GENESIS, first_break


def test_entries_link_to_the_previous_one(world):
    household = world.household()
    # Different members, so the education rule (once per member per term) sees no duplicate.
    world.need("verified", household=household, member_ref="子女1")
    world.need("verified", household=household, title="冬季取暖电暖器", member_ref="子女2")
    with world.tx() as s:
        first, second = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert (first.seq, second.seq) == (1, 2)
        assert first.prev_hash == GENESIS and second.prev_hash == first.entry_hash
        assert first_break(s) is None


def test_verify_ledger_names_an_altered_entry(world, database_url, monkeypatch):
    household = world.household(household_no="341621000000007")
    world.need("verified", household=household)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify-ledger"])
    assert ok.exit_code == 0 and "ledger intact" in ok.output
    with world.tx() as s:
        s.execute(text("UPDATE ledger_entry SET amount_fen = amount_fen * 10"))
    broken = runner.invoke(main, ["verify-ledger"])
    assert broken.exit_code == 1
    assert broken.output.startswith(f"BROKEN 户编号 341621000000007/对象编号 {household.public_code} 第1条: ")
    assert "哈希" in broken.output


def test_verify_ledger_finds_a_removed_entry(world):
    household = world.household()
    for nth, title in enumerate(("大一新生学费缺口", "冬季取暖电暖器", "卫生间加装扶手"), start=1):
        world.need("verified", household=household, title=title, member_ref=f"子女{nth}")
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))
    with world.tx() as s:
        broken = first_break(s)
        assert broken.seq == 2 and "缺少" in broken.problem


def test_verify_ledger_finds_a_removed_last_entry(world, database_url, monkeypatch):
    """Deleting the newest entry leaves a chain intact in itself: its head still names it."""
    household = world.household()
    world.need("verified", household=household)
    world.need("verified", household=household, title="就业技能培训补贴", category="employment")
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))
    with world.tx() as s:
        broken = first_break(s)
    assert broken.household_id == household.id and broken.seq == 2 and broken.entry_id is None
    assert "缺少末尾记录" in broken.problem and broken.public_code == household.public_code
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["verify-ledger"])
    assert result.exit_code == 1 and "缺少末尾记录" in result.output and household.public_code in result.output


def test_a_removed_only_entry_is_found_too(world):
    household = world.household()
    world.need("verified", household=household)
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_entry"))
    with world.tx() as s:
        broken = first_break(s)
    assert broken.seq == 1 and "缺少末尾记录" in broken.problem


def test_a_removed_entry_whose_head_went_too_is_found_by_the_fulfilment_it_recorded(world):
    household = world.household()
    world.need("verified", household=household)
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_entry"))
        s.execute(text("DELETE FROM ledger_head"))
    with world.tx() as s:
        broken = first_break(s)
    assert (broken.household_id, broken.seq) == (household.id, 1) and "已核验的帮扶" in broken.problem
