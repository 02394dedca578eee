"""An import killed with SIGKILL and run again ends in exactly the state of one clean import; and no ID
number or phone of an imported household can be found anywhere in the database."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import synthetic
from importing_support import count, empty_database, snapshot
from sqlalchemy import select
from sqlmodel import SQLModel

from marketplace.registry.importing import import_aid, import_registry
from marketplace.registry.models import Household, HouseholdHistory
from support import sqlite_file_bytes

ROOT = Path(__file__).resolve().parents[2]
BASE, TOTAL = 6000, 24000


def files(tmp_path) -> tuple[Path, Path]:
    """A first registry, then a later one in which every third household changed tier and 18,000 are new."""
    rows = list(synthetic.rows(TOTAL, seed=3))
    base, later = tmp_path / "january.csv", tmp_path / "march.csv"
    synthetic.write_csv(base, synthetic.HEADERS, rows[:BASE])
    for row in rows[:BASE:3]:
        row[4] = "低保边缘" if row[4] != "低保边缘" else "特困"
    synthetic.write_csv(later, synthetic.HEADERS, rows)
    return base, later


def run_cli(database_url, instance_path, *args) -> subprocess.Popen:
    env = dict(os.environ, MARKETPLACE_DATABASE_URL=database_url, MARKETPLACE_INSTANCE_PATH=str(instance_path))
    return subprocess.Popen([sys.executable, "-m", "marketplace.cli", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_mid_import_then_rerun_equals_one_clean_import(tmp_path, engine, vault, database_url, instance_path):
    base, later = files(tmp_path)
    assert import_registry(engine, vault, base).imported == BASE

    process = run_cli(database_url, instance_path, "import-registry", later)
    deadline = time.monotonic() + 120
    while (committed := count(engine, Household)) <= BASE:  # the second batch (first new households) is in
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert committed < TOTAL, "the import finished before it could be killed"
    partial = count(engine, Household)
    assert partial % 1000 == 0  # whole batches only: BASE plus a multiple of the new rows of a batch

    rerun = run_cli(database_url, instance_path, "import-registry", later)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert out.splitlines()[-1].startswith("imported=")
    recovered = snapshot(engine, vault)

    empty_database(engine)
    import_registry(engine, vault, base)
    clean = import_registry(engine, vault, later)
    assert clean.summary() == f"imported={TOTAL - BASE} updated={BASE // 3} unchanged={BASE - BASE // 3} rejected=0"
    assert recovered == snapshot(engine, vault)
    assert len(recovered["households"]) == TOTAL and len(recovered["history"]) == BASE // 3
    assert len({h[0] for h in recovered["history"]}) == BASE // 3  # no household's change recorded twice


def test_no_id_number_or_phone_is_stored_in_plain(tmp_path, engine, vault, database_url):
    rows = list(synthetic.rows(300, seed=5))
    path = tmp_path / "registry.csv"
    synthetic.write_csv(path, synthetic.HEADERS, rows)
    assert import_registry(engine, vault, path).imported == 300
    aid = tmp_path / "aid.csv"
    synthetic.write_csv(aid, ["身份证号", "救助项目", "金额", "发放日期"],
                        [[row[2], "临时救助", "500", "2024-05-01"] for row in rows[:50]])
    assert import_aid(engine, vault, aid).imported == 50

    secrets = {row[2] for row in rows} | {row[7] for row in rows if row[7]}
    secrets |= {phone.replace("-", "") for phone in secrets if "-" in phone}
    plain_but_public = {row[0] for row in rows}  # 户编号 is stored in plain: it proves the search sees data
    haystack = _database_bytes(engine, database_url)
    assert all(number.encode() in haystack for number in plain_but_public)
    found = [s for s in secrets if s.encode() in haystack or s.lower().encode() in haystack]
    assert found == []
    with engine.connect() as conn:
        assert count(engine, HouseholdHistory) == 0
        assert conn.execute(select(Household.id_hmac)).first()[0] != rows[0][2]


def _database_bytes(engine, database_url) -> bytes:
    """SQLite: the database file and its WAL, byte for byte. PostgreSQL: every value of every column of
    every table, text as UTF-8 and bytea as raw bytes."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        return sqlite_file_bytes(engine.url.database)
    chunks = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif isinstance(value, dict | list):
                        chunks.append(json.dumps(value, ensure_ascii=False).encode())
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)
