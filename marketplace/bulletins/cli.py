"""`marketplace bulletins generate` (registered in cli.py): generate bulletins now, for a back-fill, a month
the worker missed, or a deployment without a worker. Mail is the worker's: a bulletin of last month not yet
mailed is announced on its next round."""

import click

from ..errors import DomainError


@click.group("bulletins")
def bulletins_group() -> None:
    """月度衔接情况通报 of counties and prefectures."""


@bulletins_group.command("generate")
@click.option("--month", "month_text", help="YYYY-MM; default: last month (China's calendar)")
@click.option("--region", "region_code", help="a county or prefecture code; default: every one with households")
def generate_command(month_text: str | None, region_code: str | None) -> None:
    """Compute and store the bulletin of each division for the month; prints the seconds each took."""
    from ..cli import _app
    from ..db import engine_of, transaction
    from . import generate
    from .period import last_month, parse

    month = parse(month_text) if month_text else last_month()
    if month is None:
        raise click.BadParameter("write the month as YYYY-MM, e.g. 2026-05", param_hint="--month")
    app = _app()
    with transaction(engine_of(app)) as session:
        codes = [region_code] if region_code else generate.regions_with_households(session)
    for code in codes:
        try:
            bulletin = generate.generate_apart(engine_of(app), code, month)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"{code} {month.key}: {bulletin.seconds:.2f} s")
    click.echo(f"generated={len(codes)}")
