"""`marketplace keys rotate`: a rotation killed mid-way resumes with the same new key; afterwards every
identity opens under the new key alone, lookups by 身份证号 still find households, and re-importing the
same aid file appends nothing."""

import base64
import os
import signal
import stat
import subprocess
import sys
import textwrap

import keys_support as ks
import pytest
from click.testing import CliRunner
from sqlalchemy import LargeBinary, func, select
from sqlmodel import SQLModel

from marketplace.cli import main
from marketplace.ledger.models import LedgerCheckpoint
from marketplace.privacy import rotation
from marketplace.privacy.rekey import COVERED
from marketplace.privacy.vault import UnknownKey, Vault, key_id, load_vault, read_key_file
from marketplace.registry.importing import import_aid, import_registry
from marketplace.registry.models import KeyRotation
from marketplace.security.models import SecurityEvent
from support import World


@pytest.fixture
def city(database_url, engine, tx, monkeypatch, tmp_path):
    instance = ks.isolated_instance(monkeypatch, tmp_path)
    app = ks.app_for(database_url, instance, tmp_path)
    built = ks.build(app, World(tx), tmp_path, households=120)
    yield app, instance, built
    app.extensions["marketplace.engine"].dispose()


def cli(database_url, instance, *args):
    env = ks.environ(database_url, instance)
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


class Stop(Exception):
    pass


def test_a_rotation_stopped_after_its_first_batch_resumes_and_everything_reads_under_the_new_key(
        city, engine, database_url):
    app, instance, built = city
    old_id = app.extensions["marketplace.vault"].key_id

    def stop(step, last):
        raise Stop

    with pytest.raises(Stop):
        rotation.rotate(engine, instance, batch=25, after_batch=stop)
    with engine.connect() as conn:
        pending = conn.execute(select(KeyRotation)).one()
    assert pending.finished_at is None and pending.progress == {"household": pending.progress["household"]}
    assert (instance / "data_key.next").exists() and key_id(read_key_file(instance / "data_key.next")) == pending.new_key_id
    # Half-way, the app's vault opens rows under either key.
    assert ks.identities(engine, load_vault(instance)) == built["identities"]

    result = cli(database_url, instance, "keys", "rotate", "--batch", "25")
    assert result.exit_code == 0, result.output
    assert "（续做）" in result.output and f"{old_id} → {pending.new_key_id}" in result.output
    new = Vault(read_key_file(instance / "data_key"))
    assert new.key_id == pending.new_key_id and not (instance / "data_key.next").exists()
    ks.assert_all_under(engine, new, built)
    retired = instance / f"data_key.retired-{old_id}"
    assert key_id(read_key_file(retired)) == old_id and stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert f"旧密钥保留在 {retired}" in result.output and "请销毁它" in result.output
    with engine.connect() as conn:
        assert conn.execute(select(KeyRotation.finished_at)).scalar() is not None
        revoked = conn.execute(select(SecurityEvent).where(SecurityEvent.kind == "2fa.recovery_codes_revoked")).one()
        assert revoked.rows == 3
    assert "1 个账号的恢复码已失效" in result.output
    with engine.connect() as conn:
        assert conn.execute(select(LedgerCheckpoint.key_id)).scalars().all() == [new.key_id]
    verified = cli(database_url, instance, "verify-ledger")
    assert verified.exit_code == 0, verified.output
    assert_lookups_and_imports_hold(engine, new, built)


def assert_lookups_and_imports_hold(engine, vault, built):
    # The aid file names households by 身份证号 only: each row is found, and already recorded.
    again = import_aid(engine, vault, built["aid"])
    assert again.summary() == f"imported=0 updated=0 unchanged={built['aid_rows']} rejected=0"
    # Row digests were cleared: the first registry import compares by decrypting, and changes nothing.
    first = import_registry(engine, vault, built["registry"])
    assert first.summary() == f"imported=0 updated=0 unchanged={built['households']} rejected=0"
    assert import_registry(engine, vault, built["registry"]).unchanged == built["households"]


KILLER = textwrap.dedent("""
    import os, signal, sys
    from marketplace import create_app
    from marketplace.privacy import rotation
    app = create_app()
    batches = []
    def kill(step, last):
        batches.append(last)
        if len(batches) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    rotation.rotate(app.extensions["marketplace.engine"], app.config["INSTANCE_PATH"], batch=10, after_batch=kill)
""")


def test_a_killed_rotation_process_resumes_where_it_stopped(city, engine, database_url):
    app, instance, built = city
    child = subprocess.run([sys.executable, "-c", KILLER], env=ks.environ(database_url, instance),
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    with engine.connect() as conn:
        pending = conn.execute(select(KeyRotation)).one()
    assert pending.finished_at is None and pending.progress["household"] == 30
    result = cli(database_url, instance, "keys", "rotate")
    assert result.exit_code == 0, result.output
    new = Vault(read_key_file(instance / "data_key"))
    assert new.key_id == pending.new_key_id
    ks.assert_all_under(engine, new, built)
    assert_lookups_and_imports_hold(engine, new, built)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(KeyRotation)).scalar() == 1


def test_with_the_key_in_the_environment_the_new_key_is_a_file_and_the_old_value_is_refused(
        city, engine, database_url, monkeypatch):
    app, instance, built = city
    old = read_key_file(instance / "data_key")
    (instance / "data_key").unlink()
    monkeypatch.setenv("MARKETPLACE_DATA_KEY", base64.b64encode(old).decode())
    env = {**ks.environ(database_url, instance), "MARKETPLACE_DATA_KEY": base64.b64encode(old).decode()}
    result = CliRunner().invoke(main, ["keys", "rotate"], env=env)
    assert result.exit_code == 0, result.output
    written = [p for p in instance.iterdir() if p.name.startswith("data_key.new-")]
    assert len(written) == 1 and f"新密钥已写入 {written[0]}" in result.output
    new_key = read_key_file(written[0])
    for secret in (new_key, old):
        assert base64.b64encode(secret).decode() not in result.output
    with pytest.raises(ValueError, match="retired"):
        load_vault(instance)  # the variable still holds the old key
    monkeypatch.setenv("MARKETPLACE_DATA_KEY", written[0].read_text())
    vault = load_vault(instance)
    assert vault.key_id == key_id(new_key)
    ks.assert_all_under(engine, vault, built)


def test_ciphertext_names_its_key_and_old_format_still_opens():
    old, new = os.urandom(32), os.urandom(32)
    legacy = Vault(old)
    nonce = os.urandom(12)
    # Version 1, as written before keys had ids: version byte, nonce, ciphertext; AAD the version byte.
    v1 = b"\x01" + nonce + legacy._aead.encrypt(nonce, "王秀英".encode(), b"\x01")
    both = Vault(new, (old,))
    assert both.decrypt(v1) == "王秀英" and both.decrypt(legacy.encrypt("三组12号")) == "三组12号"
    assert Vault(new).encrypt("x")[:9] == b"\x02" + bytes.fromhex(key_id(new))
    with pytest.raises(UnknownKey):
        Vault(new).decrypt(legacy.encrypt("王秀英"))


def test_every_encrypted_column_is_rotated():
    encrypted = {(table.name, column.name) for table in SQLModel.metadata.sorted_tables for column in table.columns
                 if isinstance(column.type, LargeBinary)}
    assert encrypted and encrypted <= COVERED, encrypted - COVERED


def test_after_a_rotation_totp_still_works_and_the_revoked_recovery_codes_are_refused_and_shown(
        city, engine, database_url, tmp_path):
    import pyotp

    from support import csrf_from, login

    _app, instance, _built = city
    rotation.rotate(engine, instance)
    app = ks.app_for(database_url, instance, tmp_path)  # restarted: it loads the new key
    try:
        client = app.test_client()
        login(client, "poster@guoyang.gov.cn")
        token = csrf_from(client.get("/login/2fa"))
        refused = client.post("/login/2fa", data={"code": "code000001", "csrf_token": token})
        assert refused.status_code == 422
        token = csrf_from(client.get("/login/2fa"))
        accepted = client.post("/login/2fa", data={"code": pyotp.TOTP(ks.TOTP_SECRET).now(), "csrf_token": token})
        assert accepted.status_code == 303
        page = client.get("/account/2fa").get_data(as_text=True)
        assert "未使用的恢复码：<strong>0</strong>" in page and "因数据密钥轮换而失效" in page
    finally:
        app.extensions["marketplace.engine"].dispose()


def test_an_import_key_whose_row_changed_since_the_import_is_left_and_counted(city, engine, tx):
    from sqlalchemy import update

    from marketplace.needs.models import Need

    _app, instance, _built = city
    with tx() as s:
        s.execute(update(Need).where(Need.import_key.is_not(None)).values(title="标题在导入后改过了"))
        before = s.scalar(select(Need.import_key).where(Need.import_key.is_not(None)))
    outcome = rotation.rotate(engine, instance)
    assert outcome.counts["import_key_unmatched"] == 1 and outcome.rows["need"] == 0
    with engine.connect() as conn:
        assert conn.execute(select(Need.import_key).where(Need.import_key.is_not(None))).scalar() == before
