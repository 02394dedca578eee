"""`marketplace transparency refresh`: recompute the 阳光公示 figures now (cron where no worker runs, or
after a bulk import), whatever their age."""

import time

import click


@click.group("transparency")
def transparency_group() -> None:
    """阳光公示 public figures (derived; the worker keeps them current)."""


@transparency_group.command("refresh")
def refresh() -> None:
    """Compute and store every scope × category of the public figures."""
    from ..cli import _app
    from ..db import engine_of, transaction
    from . import store

    app = _app()
    started = time.perf_counter()
    with transaction(engine_of(app)) as session:
        refreshed = store.refresh_all(session)
    seconds = time.perf_counter() - started
    if not refreshed:
        click.echo("another refresh is running; nothing done")
        return
    scopes = sorted({scope for scope, _, _ in refreshed})
    click.echo(f"scopes={len(scopes)} ({', '.join(scope or 'root' for scope in scopes)})")
    click.echo(f"refreshed={len(refreshed)} payloads in {seconds:.2f} s")
