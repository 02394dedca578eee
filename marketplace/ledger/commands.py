"""`marketplace ledger checkpoint` and the body of `marketplace verify-ledger` (registered in cli.py)."""

import sys
from itertools import islice
from pathlib import Path

import click

LIMIT = 50  # broken chains printed; the walk stops after them


@click.group("ledger")
def ledger_group() -> None:
    """救助链 assistance chains: checkpoints an auditor keeps."""


@ledger_group.command("checkpoint")
@click.option("--new", is_flag=True, help="write a new checkpoint even if one was written in the last 24 hours")
def checkpoint(new: bool) -> None:
    """Write a checkpoint if none was written in the last 24 hours (or with --new) and print the latest,
    for an auditor to keep outside the platform and give to `verify-ledger --checkpoint FILE`."""
    from ..cli import _app
    from ..db import engine_of, transaction
    from . import checkpoints

    app = _app()
    vault = app.extensions["marketplace.vault"]
    with transaction(engine_of(app)) as session:
        try:
            if new or checkpoints.due(session, vault):
                row = checkpoints.write_checkpoint(session, vault)
            else:
                row = checkpoints.latest(session)
        except checkpoints.CheckpointRefused as refused:
            click.echo(f"error: {refused}", err=True)
            sys.exit(1)
        click.echo(checkpoints.Kept.of(row).text())


def verify(app, checkpoint_file: Path | None) -> None:
    """Every chain against its head, the heads against the latest checkpoint and the kept one; exit 1
    naming each broken chain by 户编号 and 对象编号."""
    from ..db import engine_of, reading_session
    from . import checkpoints, integrity

    kept = None
    if checkpoint_file is not None:
        try:
            kept = checkpoints.Kept.parse(checkpoint_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            click.echo(f"error: {checkpoint_file}: {error}", err=True)
            sys.exit(2)
    # A reading transaction: on SQLite a long walk does not hold the write lock.
    with reading_session(engine_of(app)) as session:
        walk = integrity.breaks(session)
        try:
            found = list(islice(walk, LIMIT + 1))
        finally:
            walk.close()
        more = len(found) > LIMIT
        found = integrity.name(session, found[:LIMIT]) + checkpoints.verify(
            session, app.extensions["marketplace.vault"], kept)
        newest = checkpoints.latest(session)
    for broken in found:
        click.echo(f"BROKEN {broken.describe()}")
    if more:
        click.echo(f"（仅列出前{LIMIT}条链）")
    if found:
        sys.exit(1)
    against = [f"checkpoint {newest.created_at.isoformat()}"] if newest else ["no checkpoint yet"]
    if kept is not None:
        against.append(f"kept checkpoint {kept.created_at.isoformat()}")
    click.echo(f"ledger intact ({'; '.join(against)})")
