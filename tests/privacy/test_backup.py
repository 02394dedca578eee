"""`marketplace backup` and `marketplace restore`: a backup restored into a fresh database passes
verify-ledger and its households decrypt with the key kept apart; the backup holds no key; a database
that has tables is overwritten only with --force."""

import base64
import secrets
import stat

import keys_support as ks
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from marketplace.cli import main
from marketplace.db import make_engine
from marketplace.ledger.models import LedgerEntry
from marketplace.privacy.vault import Vault, read_key_file
from marketplace.registry.models import Household
from support import World


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the suite's kind: a new SQLite file, or a PostgreSQL database created for
    the test and dropped after it."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{make_url(database_url).database}_restore_{secrets.token_hex(4)}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url, instance, *args):
    return CliRunner().invoke(main, [str(a) for a in args], env=ks.environ(url, instance))


def test_a_backup_restored_into_a_fresh_database_verifies_and_decrypts_with_the_kept_key(
        database_url, engine, tx, monkeypatch, tmp_path, fresh_url):
    instance = ks.isolated_instance(monkeypatch, tmp_path)
    app = ks.app_for(database_url, instance, tmp_path)
    built = ks.build(app, World(tx), tmp_path, households=40)
    app.extensions["marketplace.engine"].dispose()
    path = tmp_path / "backups" / "shanqiao.backup"

    made = run(database_url, instance, "backup", path)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "密钥不在备份中" in made.output and str(instance / "data_key") in made.output
    content = path.read_bytes()
    key = read_key_file(instance / "data_key")
    for secret in (key, base64.b64encode(key), (instance / "secret_key").read_bytes().strip()):
        assert secret not in content

    restored = run(fresh_url, instance, "restore", path)
    assert restored.exit_code == 0, restored.output
    verified = run(fresh_url, instance, "verify-ledger")
    assert verified.exit_code == 0, verified.output
    target = make_engine(fresh_url)
    try:
        assert ks.identities(target, Vault(key)) == built["identities"]
        with target.connect() as conn:
            entries = conn.execute(select(func.count()).select_from(LedgerEntry)).scalar()
        assert entries >= built["aid_rows"]

        refused = run(fresh_url, instance, "restore", path)
        assert refused.exit_code == 2 and "--force" in refused.stderr
        with target.begin() as conn:
            conn.execute(Household.__table__.update().values(head_name_enc=None))
        forced = run(fresh_url, instance, "restore", path, "--force")
        assert forced.exit_code == 0, forced.output
        target.dispose()
        assert ks.identities(target, Vault(key)) == built["identities"]
    finally:
        target.dispose()


def test_restore_with_another_key_says_which_key_the_backup_needs(database_url, engine, tx, monkeypatch, tmp_path,
                                                                  fresh_url):
    instance = ks.isolated_instance(monkeypatch, tmp_path)
    app = ks.app_for(database_url, instance, tmp_path)
    ks.build(app, World(tx), tmp_path, households=3)
    needed = app.extensions["marketplace.vault"].key_id
    app.extensions["marketplace.engine"].dispose()
    path = tmp_path / "shanqiao.backup"
    assert run(database_url, instance, "backup", path).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    restored = run(fresh_url, elsewhere, "restore", path)  # a new installation: its own, new data key
    assert restored.exit_code == 0, restored.output
    assert f"需要密钥 {needed}" in restored.stderr


def test_a_backup_of_the_other_kind_is_refused(database_url, tmp_path, monkeypatch, engine):
    instance = ks.isolated_instance(monkeypatch, tmp_path)
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP" if database_url.startswith("sqlite") else b"SQLite format 3\x00")
    result = run(database_url, instance, "restore", wrong, "--force")
    assert result.exit_code == 2 and "不符" in result.stderr
