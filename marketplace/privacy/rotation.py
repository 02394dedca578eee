"""`marketplace keys rotate`: every encrypted identity and keyed lookup re-made under a new data key,
resumable after a kill.

1. The new key is written to instance/data_key.next (0600) before anything else, or copied there from
   `--new-key-file`, and a key_rotation row names both keys by id. A run killed at any point is resumed
   by running the command again: it finds the unfinished row and the same new key.
2. Each step of privacy/rekey.py reads its table in id order, `batch` rows at a time, and writes one bulk
   UPDATE by primary key; the batch and the step's last id in key_rotation.progress commit together, so
   a kill loses at most the batch under way and no row is done twice.
3. While the rotation is unfinished, every vault (the app's too: privacy/vault.load_vault) decrypts under
   either key, since ciphertext names its key. Keyed lookups are not dual, so imports and sign-ups should
   wait: stop the app servers and the worker for the rotation. A second pass over every table re-does any
   row written under the old key after its batch (ciphertext shows its key; late rows have higher ids).
4. Finishing, in one transaction: recovery codes revoked (below), a ledger checkpoint under the new key,
   a 安全日志 row, finished_at. Then the files: the old key moves aside to data_key.retired-<id> for the
   operator to destroy once the backups made under it are checked, and data_key.next becomes data_key
   (os.replace, atomic). With MARKETPLACE_DATA_KEY set, the new key stays in a file whose path is
   printed (the key itself never is) and the old id is listed as retired, so an app started with the
   variable still at the old value refuses to run.

Recovery codes are keyed digests of codes the server never kept, so they cannot be re-keyed. Keeping the
old key to verify them would keep alive the key the rotation retires (a rotation often follows a leak,
and with the old key a copy of the table can be brute-forced offline), so they are revoked: each account
that held unused codes gets a security-log row, and its 双因素认证 page shows 0 codes left and offers new
ones. The command prints how many accounts to tell. Hours-certificate numbers are not stored: they are
computed when printed, so printouts made before the rotation no longer check against the new key."""

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.engine import Engine

from ..auth.models import RecoveryCode
from ..db import transaction
from ..modelbase import utcnow
from ..registry.models import Household, KeyRotation
from . import vault as keys
from .rekey import Step, steps
from .vault import Vault, key_id, load_master_key, read_key_file

BATCH = 1000


class RotationError(Exception):
    """The rotation cannot go on as asked; the message says what to do."""


@dataclass
class Outcome:
    rotation_id: int
    old_key_id: str
    new_key_id: str
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # unmatched keys, revoked recovery codes
    resumed: bool = False
    new_key_path: Path | None = None
    retired_key_path: Path | None = None


def _write_secret(path: Path, key: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key))
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _start(engine: Engine, instance: Path, new_key: bytes | None) -> tuple[KeyRotation, bytes, bytes, bool]:
    """The rotation to run (a new one, or the unfinished one) with its old and new keys. A rotation
    recorded as finished whose new key is still data_key.next was killed while switching the files."""
    old = load_master_key(instance)
    upcoming = instance / keys.NEXT_KEY_FILE
    with transaction(engine) as session:
        latest = session.scalars(select(KeyRotation).order_by(KeyRotation.id.desc())).first()
        if latest is not None and latest.finished_at is None:
            if not upcoming.exists():
                raise RotationError(f"轮换 #{latest.id} 未完成，但新密钥文件 {upcoming} 不见了：请先恢复它"
                                    "（已重新加密的行只能用它解密），再运行本命令。")
            new = read_key_file(upcoming)
            if key_id(new) != latest.new_key_id or (new_key and new_key != new):
                raise RotationError(f"{upcoming} 不是轮换 #{latest.id} 的新密钥（{latest.new_key_id}）。")
            if key_id(old) != latest.old_key_id:
                raise RotationError(f"当前数据密钥 {key_id(old)} 不是轮换 #{latest.id} 的旧密钥 {latest.old_key_id}。")
            return latest, old, new, True
        if upcoming.exists():
            new = read_key_file(upcoming)
            if latest is not None and latest.new_key_id == key_id(new):
                return latest, old, new, True  # finished, killed before the files were switched
        if key_id(old) in keys.retired_ids(instance):
            raise RotationError(f"当前数据密钥 {key_id(old)} 已被轮换停用：请先把 MARKETPLACE_DATA_KEY 改为新密钥。")
        if upcoming.exists():
            if new_key and new_key != new:  # left by a run killed before it recorded the rotation
                raise RotationError(f"{upcoming} 已存在且与 --new-key-file 不同：确认无用后删除它再运行。")
        else:
            new = new_key or os.urandom(32)
            _write_secret(upcoming, new)
            _sync_dir(instance)
        if new == old:
            raise RotationError("新密钥与当前密钥相同。")
        row = KeyRotation(old_key_id=key_id(old), new_key_id=key_id(new), progress={})
        session.add(row)
        session.flush()
        return row, old, new, False


def rotate(engine: Engine, instance_path, *, new_key: bytes | None = None, batch: int = BATCH,
           after_batch: Callable[[str, int], None] | None = None,
           log: Callable[[str], None] = lambda _: None) -> Outcome:
    """Run or resume the rotation (module docstring). `after_batch(step, last_id)` is called after each
    committed batch."""
    instance = Path(instance_path)
    row, old, new, resumed = _start(engine, instance, new_key)
    outcome = Outcome(row.id, row.old_key_id, row.new_key_id, resumed=resumed)
    if row.finished_at is not None:
        _switch_files(instance, old, new, outcome)
        return outcome
    reader, writer = Vault(old, (new,)), Vault(new)
    progress = dict(row.progress or {})
    _refresh_statistics(engine)
    if not progress:
        with transaction(engine) as session:
            # Cannot be re-keyed without the source rows; the next import compares by decrypting.
            session.execute(update(Household).values(row_digest=None))
    for step in steps():
        outcome.rows[step.name] = _run(engine, row.id, step, reader, writer, progress, batch, outcome.counts,
                                       after_batch, log)
    # Late writes: rows appended since (higher ids) and, where rows are rewritten, any after its batch.
    for step in steps():
        sweep = dict(progress, **({step.name: 0} if step.rewritten else {}))
        outcome.rows[step.name] += _run(engine, row.id, step, reader, writer, sweep, batch, outcome.counts,
                                        None, log, record=not step.rewritten)
    _finish(engine, row.id, writer, outcome)
    _switch_files(instance, old, new, outcome)
    return outcome


def _refresh_statistics(engine: Engine) -> None:
    """PostgreSQL plans each batch from the tables' statistics; after a bulk import they may still say no
    row has an import key, and a batch then reads the whole key index instead of a range of ids."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        for step in steps():
            connection.execute(text(f"ANALYZE {step.table.name}"))
        connection.commit()


def _run(engine, rotation_id, step: Step, reader, writer, progress, batch, counts, after_batch, log,
         record: bool = True) -> int:
    table = step.table
    pk = table.c.id
    query = select(pk, *(table.c[c] for c in step.columns))
    if step.where is not None:
        query = query.where(step.where(table))
    statement = update(table).where(pk == bindparam("_id"))
    changed_total, last = 0, progress.get(step.name, 0)
    while True:
        with transaction(engine) as session:
            connection = session.connection()
            # The batch's id range comes from the primary key alone. Asked as "the next `batch` rows with a
            # key", PostgreSQL on fresh statistics may read the whole external_key index and sort it, for
            # every batch (2 s a batch at 700,000 aid keys).
            bound = connection.execute(select(pk).where(pk > last).order_by(pk).offset(batch - 1).limit(1)).scalar()
            window = query.where(pk > last) if bound is None else query.where(pk > last, pk <= bound)
            rows = connection.execute(window.order_by(pk)).mappings().all()
            if not rows and bound is None:
                break
            changed = step.remake(rows, reader, writer, counts) if rows else []
            if changed:
                connection.execute(statement, changed)
            last = bound if bound is not None else rows[-1]["id"]
            if record:
                progress[step.name] = last
                connection.execute(update(KeyRotation).where(KeyRotation.id == rotation_id)
                                   .values(progress=dict(progress)))
        changed_total += len(changed)
        log(f"{step.name}: 已处理至 id {last}（本批重新加密或重算 {len(changed)} 行）")
        if after_batch is not None:
            after_batch(step.name, last)
        if bound is None:
            break
    return changed_total


def _finish(engine, rotation_id: int, writer: Vault, outcome: Outcome) -> None:
    from ..auth.models import AppUser
    from ..ledger.checkpoints import write_checkpoint
    from ..security.events import record

    with transaction(engine) as session:
        row = session.get(KeyRotation, rotation_id)
        holders = session.execute(select(RecoveryCode.user_id, func.count()).where(RecoveryCode.used_at.is_(None))
                                  .group_by(RecoveryCode.user_id)).all()
        session.execute(delete(RecoveryCode))
        for user_id, unused in holders:
            record(session, "2fa.recovery_codes_revoked", subject=session.get(AppUser, user_id), rows=unused,
                   reason="data_key_rotation")
        outcome.counts["recovery_code_accounts"] = len(holders)
        write_checkpoint(session, writer)  # the heads as they stand, under the key that now checks them
        record(session, "keys.rotate", rows=sum(outcome.rows.values()), old_key=row.old_key_id,
               new_key=row.new_key_id, **{k: v for k, v in outcome.counts.items() if v})
        row.finished_at = utcnow()


def _switch_files(instance: Path, old: bytes, new: bytes, outcome: Outcome) -> None:
    """The new key becomes the current one; the old one is kept aside for the operator to destroy."""
    old_id = key_id(old)
    with open(instance / keys.RETIRED_IDS_FILE, "a") as handle:
        handle.write(old_id + "\n")
    upcoming, current = instance / keys.NEXT_KEY_FILE, instance / keys.KEY_FILE
    if os.environ.get("MARKETPLACE_DATA_KEY"):
        # The variable wins over any file: the operator sets it from this file, which no one else reads.
        target = instance / f"data_key.new-{key_id(new)}"
        os.replace(upcoming, target)
        outcome.new_key_path = target
    else:
        retired = instance / f"data_key.retired-{old_id}"
        if current.exists() and not retired.exists():
            os.link(current, retired)  # a second name for the old key's file, before it is replaced
        os.replace(upcoming, current)
        outcome.new_key_path, outcome.retired_key_path = current, retired
    _sync_dir(instance)
