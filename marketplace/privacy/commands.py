"""`marketplace purge [--dry-run]`: personal information past its retention period (privacy/retention.py)."""

import time

import click


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="count what would be removed, change nothing")
def purge(dry_run: bool) -> None:
    """Remove what is past its retention period (MARKETPLACE_RETENTION_*_DAYS); chains stay intact."""
    from ..cli import _app
    from ..db import engine_of
    from . import retention

    app = _app()
    periods = retention.Periods.from_config(app.config)
    click.echo(f"retention_days identity={periods.identity} evidence={periods.evidence} "
               f"contact_disclosures={periods.disclosures} access_log={periods.access_log}", err=True)
    started = time.perf_counter()
    counts = retention.purge(engine_of(app), periods, dry_run=dry_run)
    click.echo(retention.summary(counts, dry_run=dry_run))
    click.echo(f"seconds={time.perf_counter() - started:.1f}", err=True)
