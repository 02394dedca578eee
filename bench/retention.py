"""Retention at city scale (issue 13): `marketplace purge --dry-run` and `marketplace purge` on 亳州's
250,000 households, timed, with the peak memory of the purging process. Prints figures; not a test.

    .venv/bin/python bench/retention.py                          # SQLite, in a temporary directory
    .venv/bin/python bench/retention.py --workdir /tmp/city --build-only     # build once, then:
    .venv/bin/python bench/retention.py --workdir /tmp/city --reuse
    .venv/bin/python bench/retention.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/retention.py --households 5000        # a quick run of the same steps

Building uses bench/citydata.py, the data set of bench/pages.py (a --workdir built by either serves both;
the PostgreSQL database is emptied first: never point it at one you keep). Each run then prepares the
same work again, so runs compare: --left-share of the households left the registry four years ago (their
identities written again if an earlier run purged them; the other households that left, a few months ago),
half the evidence reviewed four years ago, and --old-log-rows access-log rows from years ago (half contact
and address disclosures, half other views) beside citydata's recent ones. Then `purge --dry-run` and `purge`
run as the operator runs them, each in a process of its own: wall time and that process's peak RSS.
With --verify, `first_break` walks every chain before and after the purge: the answer must not change."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEARS_4 = timedelta(days=4 * 365)
CHUNK = 20_000


def prepare(url: str, instance: Path, share: float, old_rows: int) -> dict:
    """The purge's work, made again on every run; returns what is due per kind."""
    from sqlalchemy import func, insert, select, update

    from marketplace import create_app
    from marketplace.db import engine_of, transaction
    from marketplace.fulfilment.models import Fulfilment
    from marketplace.privacy.vault import vault
    from marketplace.registry.models import AccessLog, Household

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    engine, now = engine_of(app), datetime.now(UTC)
    step = max(1, round(1 / share))
    with app.app_context(), transaction(engine) as s:
        box = vault()
        top = s.scalar(select(func.max(Household.id)))
        user = s.scalar(select(func.min(AccessLog.user_id)))
        left = list(range(step, top + 1, step))
        for start in range(0, len(left), CHUNK):
            s.execute(update(Household), [
                {"id": hid, "status": "exited", "left_at": now - YEARS_4, "identity_purged_at": None,
                 "head_name_enc": box.encrypt(f"户主{hid}"), "id_number_enc": box.encrypt(f"3416{hid:014d}"),
                 "id_hmac": box.lookup_key(f"bench{hid}"), "phone_enc": box.encrypt(f"139{hid:08d}"),
                 "address_enc": box.encrypt(f"亳州市某村{hid}号"), "row_digest": f"{hid:064d}"}
                for hid in left[start:start + CHUNK]])
        s.execute(update(Household).where(Household.status != "active", Household.left_at.is_(None))
                  .values(left_at=now - timedelta(days=200)))
        s.execute(update(Fulfilment).where(Fulfilment.id % 2 == 0, Fulfilment.status == "verified")
                  .values(reviewed_at=now - YEARS_4, summary="已按需求送达并由家属签收", review_reason="票据齐全"))
        for start in range(0, old_rows, CHUNK):
            s.execute(insert(AccessLog), [
                {"user_id": user, "household_id": 1 + (i * 7919) % top,
                 "action": ("view_contact", "view_address", "view_chain", "need_form")[i % 4],
                 "path": "/bench", "at": now - YEARS_4 - timedelta(minutes=i)}
                for i in range(start, min(start + CHUNK, old_rows))])
        due = {"households": top, "left_long_ago": len(left),
               "access_log_rows": s.scalar(select(func.count()).select_from(AccessLog))}
    engine.dispose()
    return due


def timed(args: list[str], env: dict) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB and output of one `marketplace …` process (its own rusage, from wait4);
    the output starts with the purge's own time, without the process start-up."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", *args], env=env, cwd=ROOT,
                                   stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode:
            raise SystemExit(f"marketplace {' '.join(args)} failed:\n{err.read().decode()}")
        said = err.read().decode().split()
        inner = next((w for w in reversed(said) if w.startswith("seconds=")), "")
        return seconds, usage.ru_maxrss // 1024, f"{inner} {out.read().decode().strip()}".strip()  # Linux: KB


def first_break(url: str, instance: Path):
    from marketplace import create_app
    from marketplace.db import engine_of, transaction
    from marketplace.ledger.service import first_break as walk

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    started = time.perf_counter()
    with transaction(engine_of(app)) as s:
        broken = walk(s)
    engine_of(app).dispose()
    return (None if broken is None else (broken.household_id, broken.seq, broken.problem)), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", help="keep the data set here (SQLite file, keys, index) for --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the data set already in --workdir")
    parser.add_argument("--build-only", action="store_true", help="build the data set in --workdir and stop")
    parser.add_argument("--households", type=int, default=250_000, help="city size to build (needs 0.8x, entries 4x)")
    parser.add_argument("--left-share", type=float, default=0.05, help="share of households that left 4 years ago")
    parser.add_argument("--old-log-rows", type=int, default=300_000, help="access-log rows from years ago")
    parser.add_argument("--verify", action="store_true", help="walk every chain before and after the purge")
    args = parser.parse_args()
    temporary = None if args.workdir else tempfile.TemporaryDirectory(prefix="shanqiao-retention-")
    workdir = Path(args.workdir or temporary.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'city.db'}"
    instance = workdir / "instance"
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": url, "MARKETPLACE_INSTANCE_PATH": str(instance),
           "MARKETPLACE_SEARCH_INDEX_DIR": str(workdir / "index")}
    try:
        if not args.reuse:
            import citydata

            if args.households != citydata.HOUSEHOLDS:
                citydata.HOUSEHOLDS, citydata.NEEDS = args.households, args.households * 4 // 5
                citydata.ENTRIES = args.households * 4
            started = time.perf_counter()
            print(f"building {args.households:,} households on {url.split('://')[0]} in {workdir}")
            facts = citydata.build(url, workdir / "city.db", instance, workdir / "index")
            (workdir / "facts.json").write_text(json.dumps(facts))
            print(f"built in {time.perf_counter() - started:.0f} s")
            if args.build_only:
                return 0
        started = time.perf_counter()
        due = prepare(url, instance, args.left_share, args.old_log_rows)
        print(f"prepared in {time.perf_counter() - started:.0f} s: {due['households']:,} households, "
              f"{due['left_long_ago']:,} left 4 years ago, {due['access_log_rows']:,} access-log rows")
        if args.verify:
            before, seconds = first_break(url, instance)
            print(f"first_break before: {before} ({seconds:.1f} s)")
        print(f"engine {url.split(':')[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for label, command in (("(start-up: --help)", ["purge", "--help"]), ("purge --dry-run", ["purge", "--dry-run"]),
                               ("purge", ["purge"]),
                               ("purge (nothing left)", ["purge"])):
            seconds, peak, out = timed(command, env)
            print(f"{label:<22}{seconds:>8.1f} s   peak RSS {peak:>5} MB   {'' if '--help' in command else out}")
        if args.verify:
            after, seconds = first_break(url, instance)
            print(f"first_break after:  {after} ({seconds:.1f} s)  {'unchanged' if after == before else 'CHANGED'}")
            return 0 if after == before else 1
    finally:
        if temporary:
            temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
