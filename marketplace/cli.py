"""The `marketplace` command: database, accounts, the demo, the server and the worker."""

import sys
from datetime import date
from pathlib import Path

import click

from . import create_app
from .db import engine_of, transaction


def _app():
    app = create_app()
    # Close pooled connections when the command ends, rather than leaving them to the garbage collector.
    click.get_current_context().call_on_close(engine_of(app).dispose)
    return app


@click.group()
def main() -> None:
    """善桥 Shanqiao: social-assistance matching platform."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the database to the latest schema."""
    from .migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"], revision)
    added = load_reference_data(app)
    click.echo(f"database at {revision}: {_safe_url(app.config['DATABASE_URL'])} (regions added: {added})")


def load_reference_data(app) -> int:
    """The national GB/T 2260 county table; idempotent."""
    from .regions.national import ensure_national

    with transaction(engine_of(app)) as session:
        return ensure_national(session)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="姓名或称呼")
@click.option("--role", type=click.Choice(["staff", "charity", "volunteer"]), required=True)
@click.option("--region", "region_code", help="行政区划代码 (staff: the region they are responsible for)")
@click.option("--organization-id", type=int)
@click.password_option(help="at least 10 characters; prompted when omitted")
def create_user(email, display_name, role, region_code, organization_id, password) -> None:
    """Create a sign-in account."""
    from .auth.service import create_user as create
    from .errors import Invalid

    app = _app()
    try:
        with transaction(engine_of(app)) as session:
            user = create(session, email=email, password=password, display_name=display_name, role=role,
                          region_code=region_code, organization_id=organization_id)
            click.echo(f"created user {user.id}: {user.email} ({role})")
    except Invalid as error:
        click.echo(f"error: {error.field}: {error.message}", err=True)
        sys.exit(2)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the platform (threaded; put a WSGI server such as gunicorn in front for production)."""
    _run_server(_app(), host, port)


def _run_server(app, host: str, port: int) -> None:
    from werkzeug.serving import WSGIRequestHandler, run_simple

    class PathOnlyLog(WSGIRequestHandler):
        """Access log lines without query strings: a staff search may carry a household number."""

        def log_request(self, code="-", size="-"):
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s %s" %s %s', self.command, path, self.request_version, code, size)

    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=PathOnlyLog)


@main.command("worker")
@click.option("--once", is_flag=True, help="run one round and exit")
@click.option("--interval", default=60, show_default=True, type=int, help="seconds between rounds")
def worker(once: bool, interval: int) -> None:
    """Housekeeping: release claims not started in time, expire needs past their deadline."""
    import time

    app = _app()
    while True:
        released, expired = run_housekeeping(app)
        click.echo(f"released_claims={released} expired_needs={expired}")
        if once:
            return
        time.sleep(interval)


def run_housekeeping(app, today: date | None = None) -> tuple[int, int]:
    from .claims import service as claims
    from .needs import service as needs

    with transaction(engine_of(app)) as session:
        released = claims.expire_overdue(session)
        expired = needs.expire_overdue(session, today or date.today())
    return released, expired


@main.command("verify-ledger")
def verify_ledger() -> None:
    """Check every household's assistance chain; exit 1 naming the first broken entry."""
    from .ledger.service import first_break

    app = _app()
    with transaction(engine_of(app)) as session:
        broken = first_break(session)
    if broken:
        click.echo(f"BROKEN household_id={broken.household_id} seq={broken.seq} entry_id={broken.entry_id}: "
                   f"{broken.problem}")
        sys.exit(1)
    click.echo("ledger intact")


@main.command("import-registry")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate and report, write nothing to the database")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="where to write the rejected rows (default: <file>.errors.csv next to it)")
def import_registry(path: Path, dry_run: bool, errors_path: Path | None) -> None:
    """Import a low-income registry (低收入人口名单), CSV or XLSX; re-importing is safe."""
    from .registry.importing import import_registry as run

    _run_import(run, path, dry_run, errors_path)


@main.command("import-aid")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate and report, write nothing to the database")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="where to write the rejected rows (default: <file>.errors.csv next to it)")
def import_aid(path: Path, dry_run: bool, errors_path: Path | None) -> None:
    """Append government aid already paid (救助发放记录) to the households' chains; re-importing is safe."""
    from .registry.importing import import_aid as run

    _run_import(run, path, dry_run, errors_path)


def _run_import(run, path: Path, dry_run: bool, errors_path: Path | None) -> None:
    """Prints counts, file paths and column names only: never a row's content (it identifies people)."""
    from .registry.importing import ImportFileError

    app = _app()
    show_progress = sys.stderr.isatty()

    def progress(done: int, total: int | None) -> None:
        if show_progress:
            click.echo(f"\r{done}/{total or '?'}", nl=False, err=True)

    try:
        result = run(engine_of(app), app.extensions["marketplace.vault"], path, dry_run=dry_run,
                     errors_path=errors_path, progress=progress)
    except ImportFileError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    if show_progress:
        click.echo(err=True)
    if result.unknown_columns:
        click.echo(f"未识别的列（已忽略）：{'、'.join(result.unknown_columns)}")
    if result.errors_path:
        click.echo(f"被拒绝的行及原因：{result.errors_path}")
    if dry_run:
        click.echo("试运行（--dry-run）：未写入数据库。")
    click.echo(result.summary())


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="create and seed the database, then exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, migrate it, seed the 亳州 demo data (once) and serve it."""
    from .demo.seed import seed_demo
    from .migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"])
    load_reference_data(app)
    logins = seed_demo(engine_of(app), app.extensions["marketplace.vault"])
    click.echo("\n善桥 demo — sign in with any of these accounts:")
    for role, email, password, what in logins:
        click.echo(f"  {role:<10} {email:<32} {password:<20} {what}")
    if no_serve:
        return
    click.echo(f"\nServing on http://{host}:{port}  (Ctrl+C to stop)\n")
    _run_server(app, host, port)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
