"""Reports benchmark (issue 4): 250,000 households and 1,000,000 chain entries.

    .venv/bin/python bench/reports.py                      # a fresh SQLite file in a temporary directory
    .venv/bin/python bench/reports.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The PostgreSQL database is emptied (schema dropped) first: never point it at one you keep. Builds the
data with bulk inserts (hashes are dummies: the chain is not verified here), migrated with Alembic; then
times each report list for the whole city (all 250,000 households) and for one county, and exports the
1,000,000 entries to CSV in a child process whose peak RSS is its own.
Targets: blind-spot report <= 1 s, CSV export <= 30 s. Exits 1 if one is missed.

    .venv/bin/python bench/reports.py --sqlite-path /tmp/city.db --reuse --snapshots

--snapshots also refreshes the worker's report snapshots (the city and its counties), times reading each
section from them, prints their stored size, and times the whole page through the app from snapshots and
live (bench/reports_snapshots.py). Target: the page from snapshots <= 1 s."""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchlib import fresh_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOUSEHOLDS, ENTRIES, NEEDS, CLAIMS = 250_000, 1_000_000, 20_000, 8_000
COUNTIES = ("341602", "341621", "341622", "341623")
TOWNSHIPS = [f"{county}{100 + i}" for county in COUNTIES for i in range(20)]
TIERS = (("dibao", 45), ("tekun", 10), ("marginal", 20), ("rigid_expense", 8), ("monitored", 12), ("other", 5))
# Entries per household by tier: monthly allowances pile up inside the line (the cliff is in the data).
PER_TIER = {"dibao": 6, "tekun": 6, "marginal": 2, "rigid_expense": 2, "monitored": 2, "other": 1}
FLAGS = ("重病", "重残", "高龄", "独居", "失能", "未成年", "留守儿童", "困境儿童", "孤儿", "单亲", "失业", "零就业家庭")
GOVERNMENT = (("城乡低保金", "other", 62800), ("特困供养金", "other", 81600), ("临时救助金", "emergency", 125000),
              ("大病医疗救助", "medical", 300000), ("取暖补贴", "goods", 20000))
CHARITY = (("助学金", "education", 200000), ("冬季棉被", "goods", 30000), ("无障碍改造", "accessibility", 450000))
TARGETS = {"blind_spots_s": 1.0, "export_csv_s": 30.0}
TODAY = date.today()


def build(url: str) -> None:
    from sqlalchemy import insert, text

    import marketplace.models as m
    from marketplace.db import make_engine, transaction
    from marketplace.regions.national import ensure_national
    from marketplace.regions.service import ensure_regions

    fresh_database(url, Path(url.removeprefix("sqlite:///")))
    engine = make_engine(url)
    rng = random.Random(2026)
    now = datetime.now(UTC)
    with transaction(engine) as s:
        ensure_national(s)
        ensure_regions(s, [(code, f"第{code[-2:]}镇", "township", code[:6]) for code in TOWNSHIPS])
        s.execute(insert(m.Organization), [
            {"id": i, "name": f"慈善组织{i:02d}", "uscc": f"51341621MJ{i:07d}X", "region_code": rng.choice(COUNTIES),
             "status": "approved", "kind": "charity", "created_at": now} for i in range(1, 41)])
        s.execute(insert(m.AppUser), [
            {"id": i, "email": f"user{i}@bench.cn", "display_name": f"核验员{i}", "password_hash": "x",
             "role": "staff" if i <= 5 else "charity", "region_code": "341600",
             "organization_id": None if i <= 5 else i - 5, "is_active": True, "created_at": now}
            for i in range(1, 46)])

    started = time.perf_counter()
    tiers = [t for t, w in TIERS for _ in range(w)]
    households = []  # (id, tier, region) kept for the entries: small tuples, not rows
    with transaction(engine) as s:
        batch = []
        for hid in range(1, HOUSEHOLDS + 1):
            tier, region = rng.choice(tiers), rng.choice(TOWNSHIPS)
            households.append((hid, tier, region))
            batch.append({"id": hid, "public_code": f"H{hid:08d}", "tier": tier, "region_code": region,
                          "members": rng.randint(1, 6), "hardships": rng.sample(FLAGS, rng.choice((0, 0, 1, 1, 2, 3))),
                          "status": "active" if rng.random() < 0.95 else "exited", "created_at": now,
                          "updated_at": now})
            if len(batch) == 10_000:
                s.execute(insert(m.Household), batch)
                batch = []
        if batch:
            s.execute(insert(m.Household), batch)
    print(f"households: {HOUSEHOLDS} in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    eid = 0
    with transaction(engine) as s:
        batch = []
        for hid, tier, region in households:
            for seq in range(1, PER_TIER[tier] + 1):
                if eid == ENTRIES:
                    break
                eid += 1
                batch.append(_entry(rng, eid, hid, seq, region, now))
                if len(batch) == 20_000:
                    s.execute(insert(m.LedgerEntry), batch)
                    batch = []
        while eid < ENTRIES:  # top up on random households of the inner tiers
            hid, tier, region = rng.choice(households)
            eid += 1
            batch.append(_entry(rng, eid, hid, 100 + eid, region, now))
        if batch:
            s.execute(insert(m.LedgerEntry), batch)
    print(f"chain entries: {ENTRIES} in {time.perf_counter() - started:.1f} s")

    with transaction(engine) as s:
        needs, claims = [], []
        for nid in range(1, NEEDS + 1):
            hid, _, region = rng.choice(households)
            status = rng.choice(("open", "open", "claimed", "in_progress", "verified"))
            published = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
            needs.append({"id": nid, "household_id": hid, "region_code": region, "category": "goods", "form": "goods",
                          "title": "冬季棉被两床", "description": "", "urgency": "normal",
                          "deadline": TODAY + timedelta(days=30), "status": status, "version": 1,
                          "contact_basis": "none", "created_by_id": 1, "created_at": published,
                          "updated_at": published, "published_at": published})
        s.execute(insert(m.Need), needs)
        for cid in range(1, CLAIMS + 1):
            claimed = now - timedelta(days=rng.randint(0, 300))
            status = rng.choice(("expired", "active", "started", "completed"))
            claims.append({"id": cid, "need_id": rng.randint(1, NEEDS), "claimant_id": rng.randint(6, 45),
                           "organization_id": rng.randint(1, 40), "status": status, "claimed_at": claimed,
                           "expires_at": claimed + timedelta(days=7), "extended": False,
                           "started_at": claimed + timedelta(days=1) if status in ("started", "completed") else None})
        s.execute(insert(m.Claim), claims)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("household", "ledger_entry", "need", "claim"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    engine.dispose()


def _entry(rng, eid, hid, seq, region, now) -> dict:
    roll = rng.random()
    if roll < 0.70:
        title, category, amount = rng.choice(GOVERNMENT)
        source, org, hours, verifier = "government", None, None, None
    elif roll < 0.95:
        title, category, amount = rng.choice(CHARITY)
        source, org, hours, verifier = "charity", rng.randint(1, 40), None, rng.randint(1, 5)
    else:
        title, category, amount = "上门助浴", "care", None
        source, org, hours, verifier = "volunteer", None, float(rng.randint(1, 6)), rng.randint(1, 5)
    correction = seq > 1 and rng.random() < 0.005
    return {"id": eid, "household_id": hid, "seq": seq, "region_code": region, "source": source,
            "kind": "correction" if correction else "aid", "category": category, "title": title,
            "amount_fen": amount, "hours": hours, "occurred_on": TODAY - timedelta(days=rng.randint(0, 730)),
            "organization_id": org, "verified_by_id": verifier, "corrects_id": eid - 1 if correction else None,
            "created_at": now, "prev_hash": f"{eid - 1:064x}", "entry_hash": f"{eid:064x}"}


def time_reports(url: str) -> dict:
    from sqlmodel import Session

    from marketplace.db import make_engine
    from marketplace.reports import blind_spots, cliff, coverage
    from marketplace.reports.filters import ReportFilters, months_before

    engine = make_engine(url)
    figures = {}
    for scope in ("341600", "341621"):
        filters = ReportFilters(scope, months_before(TODAY, 12) + timedelta(days=1), TODAY, 6)
        for name, run in (
            ("blind_spots", lambda s, f=filters: blind_spots.blind_spots(s, f, per_page=50)),
            ("unclaimed", lambda s, f=filters: blind_spots.unclaimed_needs(s, f, limit=100)),
            ("lapsed_claims", lambda s, f=filters: blind_spots.lapsed_claims(s, f, limit=100)),
            ("cliff", lambda s, f=filters: cliff.aid_by_tier(s, f)),
            ("who_what_where", lambda s, f=filters: coverage.who_does_what_where(s, f)),
        ):
            times = []
            for _ in range(3):
                with Session(engine) as session:
                    started = time.perf_counter()
                    result = run(session)
                    times.append(time.perf_counter() - started)
            size = result[1] if isinstance(result, tuple) else len(result)
            figures[f"{name}@{scope}"] = max(times)
            print(f"{name:>15} @ {scope}: first {times[0] * 1000:7.0f} ms, median {statistics.median(times) * 1000:7.0f} ms,"
                  f" max {max(times) * 1000:7.0f} ms  ({size} rows)")
    engine.dispose()
    return figures


def export_child(url: str, path: str) -> None:
    """Runs in its own process, so the peak RSS printed is the export's alone. A sampler thread records
    the resident size through the run: flat after the first chunks means constant memory."""
    import threading

    from marketplace.db import make_engine, reading_session
    from marketplace.ledger.export import ExportFilters, export_ledger

    samples, done = [], threading.Event()

    def sample():
        page = os.sysconf("SC_PAGE_SIZE")
        while not done.wait(0.5):
            with open("/proc/self/statm") as statm:
                samples.append(int(statm.read().split()[1]) * page / 2**20)

    engine = make_engine(url)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with reading_session(engine) as session:
        count = export_ledger(session, path, "csv", ExportFilters())
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    quarter = samples[len(samples) // 4] if samples else 0
    print(json.dumps({"count": count, "seconds": seconds, "peak_rss_mb": peak_mb, "bytes": os.path.getsize(path),
                      "rss_at_25pct_mb": quarter, "rss_at_end_mb": samples[-1] if samples else 0}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite-path", help="keep the SQLite database in this file (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="skip building: time an existing bench database")
    parser.add_argument("--snapshots", action="store_true",
                        help="also time the snapshot refresh, the reads per section and the page (issue 12)")
    parser.add_argument("--export-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(*args.export_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="shanqiao-bench-") as tmp:
        os.environ["MARKETPLACE_INSTANCE_PATH"] = tmp
        url = args.database_url or f"sqlite:///{Path(args.sqlite_path or Path(tmp) / 'bench.db').resolve()}"
        if not args.reuse:
            if args.sqlite_path and Path(args.sqlite_path).exists():
                Path(args.sqlite_path).unlink()
            build(url)
        figures = time_reports(url)
        snapshot_missed = []
        if args.snapshots:
            import reports_snapshots

            snapshot_missed = reports_snapshots.run(url, ("341600", "341621"))
        csv_path = Path(tmp) / "ledger.csv"
        out = subprocess.run([sys.executable, __file__, "--export-child", url, str(csv_path)],
                             check=True, capture_output=True, text=True)
        export = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"export-ledger csv: {export['count']} rows, {export['bytes'] / 1e6:.0f} MB in {export['seconds']:.1f} s,"
              f" peak RSS {export['peak_rss_mb']:.0f} MB (RSS at 25% {export['rss_at_25pct_mb']:.0f} MB,"
              f" at the end {export['rss_at_end_mb']:.0f} MB)")
    worst = max(v for k, v in figures.items() if k.startswith("blind_spots"))
    missed = [f"{name} {value:.2f} > {TARGETS[name]}" for name, value in
              (("blind_spots_s", worst), ("export_csv_s", export["seconds"])) if value > TARGETS[name]]
    missed += snapshot_missed
    ok = not missed and export["count"] == ENTRIES
    print("targets met" if ok else f"targets missed: {', '.join(missed) or 'wrong count'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
