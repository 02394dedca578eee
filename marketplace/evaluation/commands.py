"""`marketplace evaluation recount` (registered in cli.py)."""

import click


@click.group("evaluation")
def evaluation_group() -> None:
    """综合评估 figures of organisations."""


@evaluation_group.command("recount")
def recount() -> None:
    """Rebuild the maintained 综合评估 figures from the reviewed evidence, pledges and follow-ups: once after
    upgrading a deployment that reviewed evidence before they were kept, or to check them."""
    from ..cli import _app
    from ..db import engine_of, transaction
    from . import tally

    app = _app()
    with transaction(engine_of(app)) as session:
        rows = tally.recount(session)
    click.echo(f"evaluation figures recounted: {rows} rows (organisation × region)")
