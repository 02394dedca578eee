"""`marketplace keys rotate`, `marketplace backup PATH`, `marketplace restore PATH` (privacy/rotation.py,
operations/backup.py). Output names keys by id and by file path only: never a key, never a password."""

import os
import sys
from pathlib import Path

import click

KEYS_APART = ("密钥不在备份中：数据密钥 {data}，会话密钥 {secret}。请另行备份，并与数据库备份分开存放"
              "（缺数据密钥则备份无法解密；与备份放在一起则等于没有加密）。")


def _key_places(app) -> dict:
    instance = Path(app.config["INSTANCE_PATH"])
    return {"data": "环境变量 MARKETPLACE_DATA_KEY" if os.environ.get("MARKETPLACE_DATA_KEY") else instance / "data_key",
            "secret": "环境变量 MARKETPLACE_SECRET_KEY" if os.environ.get("MARKETPLACE_SECRET_KEY")
            else instance / "secret_key"}


@click.group("keys")
def keys_group() -> None:
    """数据密钥 (data keys)."""


@keys_group.command("rotate")
@click.option("--new-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the new key (32 bytes, base64) instead of a generated one")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="rows per transaction  [default: MARKETPLACE_ROTATE_BATCH or 1000]")
def rotate_keys(new_key_file: Path | None, batch: int | None) -> None:
    """Re-encrypt every identity and re-key every lookup under a new data key; run again to resume.
    Stop the app servers and the worker first, and restart them afterwards."""
    from ..cli import _app
    from ..db import engine_of
    from . import rotation
    from .vault import read_key_file

    app = _app()
    batch = batch or int(os.environ.get("MARKETPLACE_ROTATE_BATCH") or rotation.BATCH)
    progress = sys.stderr.isatty()
    try:
        outcome = rotation.rotate(engine_of(app), app.config["INSTANCE_PATH"], batch=batch,
                                  new_key=read_key_file(new_key_file) if new_key_file else None,
                                  log=(lambda line: click.echo(line, err=True)) if progress else (lambda _: None))
    except (rotation.RotationError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    report(outcome)


def report(outcome) -> None:
    click.echo(f"轮换 #{outcome.rotation_id}{'（续做）' if outcome.resumed else ''}：数据密钥 {outcome.old_key_id} → "
               f"{outcome.new_key_id}")
    click.echo("重新加密或重算：" + "，".join(f"{name} {rows}" for name, rows in outcome.rows.items()))
    counts = outcome.counts
    if counts.get("recovery_code_accounts"):
        click.echo(f"{counts['recovery_code_accounts']} 个账号的恢复码已失效（无法在新密钥下重算）：请通知他们在"
                   "「双因素认证」页面重新生成。")
    for name, what in (("external_key_unmatched", "救助发放记录的导入键与其记录不符，未能重算；再次导入这些行会被当作新行"),
                       ("import_key_unmatched", "需求清单的导入键与其记录不符（导入后标题被修改等），未能重算；再次导入这些行会被当作新行"),
                       ("id_hmac_unmatched", "户的身份证号查找键与其加密的身份证号不符，已按身份证号重算")):
        if counts.get(name):
            click.echo(f"注意：{counts[name]} 条{what}。")
    click.echo("已在新密钥下写入账本检查点：请运行 marketplace ledger checkpoint 打印它，交审计方另行保存"
               "（旧密钥下的检查点在新密钥下无法核对）。")
    if os.environ.get("MARKETPLACE_DATA_KEY"):
        click.echo(f"新密钥已写入 {outcome.new_key_path}：请把 MARKETPLACE_DATA_KEY 改为该文件的内容后重启应用和"
                   "worker（旧值已被停用，应用不会用它启动）。旧密钥就是该变量的旧值。")
    else:
        click.echo(f"新密钥已启用：{outcome.new_key_path}。请重启应用和 worker。")
    retired = outcome.retired_key_path or "MARKETPLACE_DATA_KEY 的旧值"
    click.echo(f"旧密钥保留在 {retired}：确认此前的备份已能用旧密钥恢复、并已制作新的备份后，请销毁它"
               "（旧备份只能用旧密钥解密）。新的备份需要新密钥。")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the database to PATH (SQLite online backup, or pg_dump -Fc); the keys are not in it."""
    from ..cli import _app
    from ..db import engine_of, transaction
    from ..operations import backup
    from ..security.events import record

    app = _app()
    try:
        size = backup.backup(app.config["DATABASE_URL"], path)
    except backup.BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    with transaction(engine_of(app)) as session:  # a whole-database copy is an export: it is logged
        record(session, "backup", via="cli", file=path.name[:80], size=size)
    vault = app.extensions["marketplace.vault"]
    click.echo(f"备份完成：{path}（{size} 字节）。解密需要数据密钥 {vault.key_id}。")
    click.echo(KEYS_APART.format(**_key_places(app)))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite a database that already has tables")
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup made by `marketplace backup` into the configured database."""
    from ..cli import _app
    from ..db import engine_of
    from ..operations import backup

    app = _app()
    try:
        backup.restore(app.config["DATABASE_URL"], path, engine_of(app), force=force)
    except backup.BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"已恢复：{path}。")
    unreadable = readable_with(app)
    if unreadable:
        click.echo(f"注意：{unreadable}", err=True)
    click.echo("下一步：marketplace db upgrade（备份来自旧版本时），marketplace verify-ledger。")
    click.echo(KEYS_APART.format(**_key_places(app)))


def readable_with(app) -> str | None:
    """Whether the vault in use opens the restored identities; a message when it does not."""
    from sqlalchemy import select

    from ..db import engine_of
    from ..registry.models import Household

    vault = app.extensions["marketplace.vault"]
    with engine_of(app).connect() as conn:
        blob = conn.execute(select(Household.head_name_enc).where(Household.head_name_enc.is_not(None))
                            .order_by(Household.id).limit(1)).scalar()
    if blob is None:
        return None
    try:
        vault.decrypt(blob)
    except Exception:  # noqa: BLE001 - any failure means the same thing to the operator
        named = bytes(blob)[1:9].hex() if bytes(blob)[:1] == b"\x02" else "（旧格式，未记录）"
        return (f"当前数据密钥 {vault.key_id} 打不开恢复的数据（需要密钥 {named}）：请换上制作备份时的数据密钥。")
    return None


COMMANDS = (keys_group, backup_command, restore_command)
