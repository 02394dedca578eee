"""`marketplace keys rotate` at city scale (issue 13): the end-to-end time of the command as an operator
runs it, its peak memory (the child's maxrss) and rows re-made per second.

    .venv/bin/python bench/keys.py                                  # 250,000 households, SQLite, temporary
    .venv/bin/python bench/keys.py --households 5000 --workdir /tmp/keys
    .venv/bin/python bench/keys.py --workdir /tmp/keys --reuse      # rotate the same data set again
    .venv/bin/python bench/keys.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The PostgreSQL database is emptied (schema dropped) first: never point it at one you keep.
1. builds the city of bench/citydata.py (scaled to --households: 0.8 needs and 4 chain entries per
   household, as at 250,000), then gives every household the identity an import would (name, ID number
   and its lookup key, phone, address) and every government aid entry the external key of the aid
   import, so the rotation has every kind of work it has in production;
2. runs `marketplace keys rotate` as a child process and reports wall time, maxrss and rows/s, then
   checks a sample of households under the new key. Each --reuse run rotates once more."""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "registry"))
CHUNK = 5000


def build(url: str, workdir: Path, households: int) -> dict:
    import citydata

    citydata.HOUSEHOLDS, citydata.NEEDS, citydata.ENTRIES = households, households * 4 // 5, households * 4
    started = time.perf_counter()
    citydata.build(url, workdir / "city.db", workdir / "instance", workdir / "index")
    print(f"  city built in {time.perf_counter() - started:.0f} s")
    identities(url, workdir / "instance")
    print(f"  identities and aid keys added; {time.perf_counter() - started:.0f} s in all")
    return {"households": households}


def identities(url: str, instance: Path) -> None:
    """What the registry and aid imports would have written, in bulk UPDATEs by primary key."""
    import synthetic
    from sqlalchemy import bindparam, select, update

    from marketplace.db import make_engine, transaction
    from marketplace.ledger.models import LedgerEntry
    from marketplace.privacy.vault import load_vault
    from marketplace.registry.importing.aid_import import _VERSION
    from marketplace.registry.models import Household

    vault, engine, rng, taken = load_vault(instance), make_engine(url), random.Random(5), set()
    ids = [row[0] for row in engine.connect().execute(select(Household.id).order_by(Household.id))]
    household = update(Household).where(Household.id == bindparam("_id"))
    for start in range(0, len(ids), CHUNK):
        rows = []
        for hid in ids[start:start + CHUNK]:
            number = synthetic.id_number(rng, "341602", taken)
            rows.append({"_id": hid, "id_number_enc": vault.encrypt(number), "id_hmac": vault.lookup_key(number),
                         "phone_enc": vault.encrypt(synthetic.phone(rng)),
                         "address_enc": vault.encrypt(f"{rng.randrange(1, 10)}组{rng.randrange(1, 80)}号")})
        with transaction(engine) as s:
            s.connection().execute(household, rows)
    entry = update(LedgerEntry).where(LedgerEntry.id == bindparam("_id"))
    last, seen = 0, set()
    while True:
        with transaction(engine) as s:
            conn = s.connection()
            rows = conn.execute(select(LedgerEntry.id, LedgerEntry.household_id, LedgerEntry.title,
                                       LedgerEntry.amount_fen, LedgerEntry.occurred_on)
                                .where(LedgerEntry.id > last, LedgerEntry.source == "government",
                                       LedgerEntry.kind == "aid").order_by(LedgerEntry.id).limit(CHUNK)).all()
            if not rows:
                break
            keyed = []
            for r in rows:
                key = vault.digest(_VERSION, r.household_id, r.title, r.amount_fen, r.occurred_on.isoformat())
                if key not in seen:  # the import refuses a payment typed twice: the generator is not so careful
                    seen.add(key)
                    keyed.append({"_id": r.id, "external_key": key})
            conn.execute(entry, keyed)
            last = rows[-1].id
    engine.dispose()


def rotate(url: str, workdir: Path, batch: int | None) -> dict:
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": url, "MARKETPLACE_INSTANCE_PATH": str(workdir / "instance"),
           "MARKETPLACE_SEARCH_INDEX_DIR": str(workdir / "index")}
    env.pop("MARKETPLACE_DATA_KEY", None)
    argv = [str(ROOT / ".venv" / "bin" / "marketplace"), "keys", "rotate"] + (["--batch", str(batch)] if batch else [])
    started = time.perf_counter()
    with open(workdir / "rotate.out", "w") as out, open(workdir / "rotate.err", "w") as err:
        child = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        # wait4, not Popen.wait: it returns this child's own rusage (maxrss), not the largest of all children.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    output = (workdir / "rotate.out").read_text()
    if child.returncode != 0:
        raise SystemExit(f"keys rotate failed ({child.returncode}):\n{output}\n{(workdir / 'rotate.err').read_text()}")
    line = next(ln for ln in output.splitlines() if ln.startswith("重新加密或重算："))
    rows = {name: int(n) for name, n in re.findall(r"(\w+) (\d+)", line)}
    return {"seconds": elapsed, "rows": rows, "output": output, "maxrss_kb": usage.ru_maxrss,
            "cpu": usage.ru_utime + usage.ru_stime}


def check(url: str, workdir: Path) -> int:
    from sqlalchemy import select

    from marketplace.db import make_engine
    from marketplace.privacy.vault import Vault, read_key_file
    from marketplace.registry.models import Household

    vault = Vault(read_key_file(workdir / "instance" / "data_key"))  # the new key alone
    engine = make_engine(url)
    with engine.connect() as conn:
        sample = conn.execute(select(Household).order_by(Household.id).limit(200)).all()
    engine.dispose()
    for h in sample:
        assert vault.lookup_key(vault.decrypt(h.id_number_enc)) == h.id_hmac and vault.decrypt(h.head_name_enc)
    return len(sample)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--workdir", help="keep the data set here (SQLite file, keys) for --reuse")
    parser.add_argument("--reuse", action="store_true", help="rotate the data set already in --workdir")
    parser.add_argument("--build-only", action="store_true", help="build the data set in --workdir and stop")
    parser.add_argument("--batch", type=int, help="rows per transaction (default: the command's, 1000)")
    args = parser.parse_args()
    temporary = None if args.workdir else tempfile.TemporaryDirectory(prefix="shanqiao-keys-")
    workdir = Path(args.workdir or temporary.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'city.db'}"
    facts_file = workdir / "keys-facts.json"
    try:
        if args.reuse:
            facts = json.loads(facts_file.read_text())
        else:
            print(f"building {args.households:,} households on {url.split('://')[0]} in {workdir}")
            facts = build(url, workdir, args.households)
            facts_file.write_text(json.dumps(facts))
            if args.build_only:
                return 0
        print(f"engine {url.split(':')[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        figures = rotate(url, workdir, args.batch)
        total = sum(figures["rows"].values())
        print(f"households {facts['households']:,}: keys rotate {figures['seconds']:.1f} s, "
              f"peak memory {figures['maxrss_kb'] / 1024:.0f} MB, "
              f"{total:,} rows re-made ({total / figures['seconds']:,.0f} rows/s)")
        print("  " + ", ".join(f"{name} {rows:,}" for name, rows in figures["rows"].items()))
        print(f"  the command's own CPU time {figures['cpu']:.1f} s (wall time above includes waiting for the database"
              " and for a loaded machine)")
        print(f"  checked {check(url, workdir)} households under the new key alone")
    finally:
        if temporary:
            temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
