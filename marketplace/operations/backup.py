"""`marketplace backup PATH` and `marketplace restore PATH`: the database, without the keys.

- SQLite: the online backup API (sqlite3.Connection.backup), which copies a consistent snapshot page by
  page while the app keeps serving in WAL mode; the copy is checked with `PRAGMA quick_check`.
- PostgreSQL: `pg_dump -Fc` and `pg_restore`. The connection goes through PG* environment variables of
  the child process, never its command line, where `ps` would show the password.

The keys are kept apart: instance/data_key (or MARKETPLACE_DATA_KEY) and instance/secret_key live outside
the database, so no backup holds them, and the commands say where they are. A backup without its data key
cannot be read, and a key stored with the backups protects nothing; keep them in separate places.

Restore refuses a target database that already has tables unless --force; with --force an SQLite target
is overwritten by the backup API, a PostgreSQL target's public schema is dropped first."""

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

SQLITE_MAGIC, PG_MAGIC = b"SQLite format 3\x00", b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why (never a password)."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("只能备份或恢复文件形式的 SQLite 数据库。")
    return Path(database)


def _pg_env(url: str) -> tuple[dict, str]:
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                        ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database)):
        if value is not None:
            env[name] = str(value)
    for option, name in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if option in parsed.query:
            env[name] = str(parsed.query[option])
    return env, parsed.database


def _private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT: set it


def _run(argv: list[str], env: dict) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-800:]}")


def backup(url: str, path: Path) -> int:
    """Write the database at `url` to `path` (0600); returns the backup's size in bytes."""
    path = Path(path)
    _private(path)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target, pages=4096)
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("备份文件校验失败（PRAGMA quick_check）。")
        finally:
            source.close()
            target.close()
    elif url.startswith("postgresql"):
        env, _ = _pg_env(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], env)
    else:
        raise BackupError(f"不支持的数据库：{url.split(':')[0]}")
    return path.stat().st_size


def has_tables(engine) -> bool:
    return bool(inspect(engine).get_table_names())


def restore(url: str, path: Path, engine, *, force: bool = False) -> None:
    """Load the backup at `path` into the database at `url` (whose engine is `engine`)."""
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(16)
    sqlite_target = url.startswith("sqlite")
    if sqlite_target and magic != SQLITE_MAGIC or not sqlite_target and not magic.startswith(PG_MAGIC):
        raise BackupError(f"{path} 不是{'SQLite' if sqlite_target else 'pg_dump -Fc'}备份，与目标数据库的类型不符。")
    if has_tables(engine) and not force:
        raise BackupError("目标数据库不是空的：恢复会覆盖其中的数据。确认无误请加 --force。")
    engine.dispose()
    if sqlite_target:
        target_path = _sqlite_path(url)
        if not target_path.exists():
            _private(target_path)
        source, target = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target_path)
        try:
            with target:
                source.backup(target, pages=4096)
        finally:
            source.close()
            target.close()
        return
    if force:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env, database = _pg_env(url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={database}", str(path)], env)
