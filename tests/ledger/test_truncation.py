"""Shortening a chain shows: the ledger writer keeps each chain's head, and a keyed daily checkpoint over
the heads catches even an attacker who removes an entry and rewinds its head (issue 13, failure 3)."""

import csv
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from marketplace.cli import main
from marketplace.ledger import checkpoints
from marketplace.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead
from marketplace.ledger.service import append, first_break
from marketplace.privacy.vault import Vault
from marketplace.registry.models import Household

NUMBER = "341621000000001"


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    # Checkpoints cover entries older than a safety margin (ledger/checkpoints.py); the tests' entries
    # are seconds old.
    monkeypatch.setattr(checkpoints, "MARGIN", timedelta(0))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def aid_file(tmp_path, rows):
    path = tmp_path / "aid.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["户编号", "救助项目", "金额", "发放日期"])
        out.writerows(rows)
    return path


def government_chain(world, entries=2):
    """A household whose chain holds government payments only: no fulfilment or correction points at them."""
    household = world.household(household_no=NUMBER)
    with world.tx() as s:
        for n in range(entries):
            append(s, s.get(Household, household.id), source="government", kind="aid", category="other",
                   title="低保金", amount_fen=60000 + n, occurred_on=date(2024, 1, 15) + timedelta(days=31 * n))
    return household


def rewind_head(tx, household_id):
    """What a careful attacker does after deleting the newest entry: point the head at the one before."""
    with tx() as s:
        last = s.scalars(select(LedgerEntry).where(LedgerEntry.household_id == household_id)
                         .order_by(LedgerEntry.seq.desc())).first()
        head = s.get(LedgerHead, household_id)
        if last is None:
            s.delete(head)
        else:
            head.seq, head.entry_hash = last.seq, last.entry_hash


def test_a_deleted_newest_government_entry_is_truncation_and_reimporting_does_not_hide_it(world, cli, tmp_path):
    household = world.household(household_no=NUMBER)
    path = aid_file(tmp_path, [[NUMBER, "低保金", "600", "2024-01-15"], [NUMBER, "低保金", "600", "2024-02-15"]])
    assert "imported=2" in cli("import-aid", str(path)).output
    assert cli("verify-ledger").exit_code == 0
    with world.tx() as s:
        removed = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 2)).one().entry_hash
        s.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))

    broken = cli("verify-ledger")
    assert broken.exit_code == 1
    assert f"BROKEN 户编号 {NUMBER}/对象编号 {household.public_code} 第2条: 缺少末尾记录（截断）" in broken.output

    assert "imported=1" in cli("import-aid", str(path)).output  # the payment looks new to the importer...
    with world.tx() as s:
        again = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert (again.seq, again.prev_hash) == (3, removed)  # ...but the head still says the chain had two
    still = cli("verify-ledger")
    assert still.exit_code == 1
    assert f"户编号 {NUMBER}/对象编号 {household.public_code} 第2条: 缺少第2条（下一条为第3条）" in still.output


def test_a_chain_whose_head_was_removed_or_moved_is_named(world):
    household = government_chain(world)
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_head"))
    with world.tx() as s:
        broken = first_break(s)
    assert (broken.household_id, broken.public_code, broken.household_no) == (household.id, household.public_code,
                                                                              NUMBER)
    assert "链头" in broken.problem
    with world.tx() as s:
        first = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 1)).one()
        s.add(LedgerHead(household_id=household.id, seq=2, entry_hash=first.entry_hash))
    with world.tx() as s:
        broken = first_break(s)
    assert broken.seq == 2 and "链头" in broken.problem


def test_the_checkpoint_catches_an_entry_removed_with_its_head(world):
    household = government_chain(world)
    single = world.household(household_no="341621000000002")
    with world.tx() as s:
        append(s, s.get(Household, single.id), source="government", kind="aid", category="other", title="特困供养金",
               amount_fen=80000, occurred_on=date(2024, 3, 1))
    later = datetime.now(UTC) + timedelta(hours=1)
    with world.tx() as s:
        written = checkpoints.write_checkpoint(s, world.vault, now=later)
        assert (written.chains, written.entries) == (2, 3)
        assert checkpoints.verify(s, world.vault) == []

    for victim in (household, single):  # a longer chain rewound by one, and a one-entry chain emptied
        with world.tx() as s:
            s.execute(text("DELETE FROM ledger_entry WHERE id = (SELECT max(id) FROM ledger_entry "
                           "WHERE household_id = :h)"), {"h": victim.id})
        rewind_head(world.tx, victim.id)
        with world.tx() as s:
            assert first_break(s) is None  # the chains and heads agree with each other now
            problems = checkpoints.verify(s, world.vault)
        assert len(problems) == 1 and "检查点" in problems[0].problem
        with world.tx() as s, pytest.raises(checkpoints.CheckpointRefused):
            checkpoints.write_checkpoint(s, world.vault, now=later + timedelta(days=1))  # would bless it
        with world.tx() as s:
            s.execute(text("DELETE FROM ledger_checkpoint"))
            checkpoints.write_checkpoint(s, world.vault, now=later)  # the next victim against a fresh one


def test_a_checkpoint_forged_in_the_database_is_caught(world):
    household = government_chain(world)
    later = datetime.now(UTC) + timedelta(hours=1)
    with world.tx() as s:
        checkpoints.write_checkpoint(s, world.vault, now=later)
        s.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))
    rewind_head(world.tx, household.id)
    # The attacker recomputes a checkpoint over the shortened chain, with a key of their own.
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_checkpoint"))
        forged = checkpoints.write_checkpoint(s, Vault(b"k" * 32), now=later)
        forged.key_id = world.vault.key_id
    with world.tx() as s:
        problems = checkpoints.verify(s, world.vault)
    assert len(problems) == 1 and "不符" in problems[0].problem


def test_an_auditors_checkpoint_file_is_checked_against_the_chains_and_the_database(world, cli, tmp_path):
    household = government_chain(world)
    printed = cli("ledger", "checkpoint")
    assert printed.exit_code == 0, printed.output
    assert "chains: 1" in printed.output and "entries: 2" in printed.output and "digest: " in printed.output
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(printed.output, encoding="utf-8")
    assert cli("ledger", "checkpoint").output == printed.output  # one a day: the same one again
    ok = cli("verify-ledger", "--checkpoint", str(kept))
    assert ok.exit_code == 0 and "ledger intact" in ok.output

    # The database's row is altered: the file, kept elsewhere, still holds.
    with world.tx() as s:
        s.execute(text("UPDATE ledger_checkpoint SET entries = 1"))
    changed = cli("verify-ledger", "--checkpoint", str(kept))
    assert changed.exit_code == 1 and "与文件不符" in changed.output

    # A careful attacker shortens the chain, rewinds its head and replaces the database's checkpoints with a
    # new one made by the platform itself: only the auditor's copy still knows the chain was longer.
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_checkpoint"))
        s.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))
    rewind_head(world.tx, household.id)
    assert cli("ledger", "checkpoint", "--new").exit_code == 0
    assert cli("verify-ledger").exit_code == 0
    caught = cli("verify-ledger", "--checkpoint", str(kept))
    assert caught.exit_code == 1 and "检查点" in caught.output

    tampered = tmp_path / "edited.txt"
    tampered.write_text(printed.output.replace("entries: 2", "entries: 1"), encoding="utf-8")
    assert cli("verify-ledger", "--checkpoint", str(tampered)).exit_code == 1


def test_the_worker_writes_a_checkpoint_a_day(app, world, monkeypatch):
    from marketplace.worker import run_worker

    government_chain(world)
    run_worker(app, once=True)
    run_worker(app, once=True)
    with world.tx() as s:
        rows = s.scalars(select(LedgerCheckpoint)).all()
        assert len(rows) == 1 and rows[0].key_id == world.vault.key_id
    tomorrow = datetime.now(UTC) + timedelta(hours=25)
    monkeypatch.setattr(checkpoints, "utcnow", lambda: tomorrow)
    run_worker(app, once=True)
    with world.tx() as s:
        rows = s.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.created_at)).all()
        assert len(rows) == 2 and (rows[0].entries, rows[1].entries) == (0, 2)  # the first predates the margin
        assert checkpoints.verify(s, world.vault) == []


def test_heads_are_filled_for_chains_loaded_around_the_writer(world):
    """bench/citydata.py bulk-inserts entries; fill_heads gives their chains the heads append keeps."""
    from marketplace.ledger.service import fill_heads

    household = government_chain(world, entries=3)
    with world.tx() as s:
        s.execute(text("DELETE FROM ledger_head"))
    with world.tx() as s:
        assert fill_heads(s) == 1 and fill_heads(s) == 0
        head = s.get(LedgerHead, household.id)
        assert head.seq == 3 and first_break(s) is None
        append(s, s.get(Household, household.id), source="government", kind="aid", category="other",
               title="低保金", amount_fen=1, occurred_on=date(2024, 6, 1))
    with world.tx() as s:
        assert s.get(LedgerHead, household.id).seq == 4 and first_break(s) is None
