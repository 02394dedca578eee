"""Registry import benchmark (issue 3): 250,000 synthetic, valid, realistic rows.

    .venv/bin/python bench/registry_import.py [--rows 250000]

Generates the CSV in a child process (so its memory does not count), imports it into a fresh SQLite
database migrated with Alembic and loaded with the national region table, and prints the wall time and
the peak RSS of the import, then re-imports the same file and prints its time and summary line.
Targets: import <= 60 s, peak RSS <= 500 MB, re-import `unchanged=N` <= 30 s. Exits 1 if one is missed."""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "registry")]  # the generator the tests use

TARGETS = {"import_s": 60.0, "peak_rss_mb": 500.0, "reimport_s": 30.0}


def generate(path: str, count: int) -> None:
    import synthetic

    synthetic.write_csv(path, synthetic.HEADERS, synthetic.rows(count, seed=2024))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--generate", nargs=2, metavar=("PATH", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate[0], int(args.generate[1]))
        return 0

    with tempfile.TemporaryDirectory(prefix="shanqiao-bench-") as tmp:
        csv_path = Path(tmp) / "registry.csv"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(csv_path), str(args.rows)], check=True)
        print(f"generated {args.rows} rows ({csv_path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s")

        os.environ["MARKETPLACE_INSTANCE_PATH"] = tmp
        from marketplace.db import make_engine, transaction
        from marketplace.migrate import upgrade
        from marketplace.privacy.vault import Vault
        from marketplace.regions.national import ensure_national
        from marketplace.registry.importing import import_registry

        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            ensure_national(session)
        vault = Vault(os.urandom(32))

        started = time.perf_counter()
        first = import_registry(engine, vault, csv_path)
        import_s = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(f"import:    {import_s:.1f} s, peak RSS {peak_mb:.0f} MB  -> {first.summary()}")

        started = time.perf_counter()
        second = import_registry(engine, vault, csv_path)
        reimport_s = time.perf_counter() - started
        print(f"re-import: {reimport_s:.1f} s")
        print(second.summary())
        engine.dispose()

    figures = {"import_s": import_s, "peak_rss_mb": peak_mb, "reimport_s": reimport_s}
    missed = [f"{name} {figures[name]:.1f} > {limit}" for name, limit in TARGETS.items() if figures[name] > limit]
    ok = not missed and first.imported == args.rows and second.unchanged == args.rows
    print("targets met" if ok else f"targets missed: {', '.join(missed) or 'wrong counts'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
