"""The `marketplace` command: database, accounts, the demo, the server and the worker."""

import os
import sys
from pathlib import Path

import click

from . import create_app, i18n_catalog
from .bulletins import cli as bulletins_cli
from .db import engine_of, transaction
from .demo import commands as demo_commands
from .evaluation import commands as evaluation_commands
from .evidence import commands as evidence_commands
from .ledger import commands as ledger_commands
from .privacy import commands as privacy_commands
from .privacy.key_commands import COMMANDS as KEY_COMMANDS
from .registry import commands as registry_commands
from .transparency import cli as transparency_cli
from .worker import run_worker


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
    if revision == "head" and fill_empty_figures(app):
        click.echo("maintained figures recounted (households per township and tier, organisation totals, "
                   "evaluation)")


def fill_empty_figures(app) -> bool:
    """Recount a maintained figure whose table is empty while its inputs are not: rows loaded around the
    services (a bulk insert) would otherwise leave public pages generalising every township."""
    from .evaluation import tally
    from .ledger import org_totals
    from .registry import tier_counts

    with transaction(engine_of(app)) as session:
        return any([tier_counts.recount_if_empty(session), org_totals.recount_if_empty(session),
                    tally.recount_if_empty(session)])


def load_reference_data(app) -> int:
    """The national GB/T 2260 county table, the default duplicate rules, aid items and search synonyms;
    idempotent."""
    from .aid_items.defaults import ensure_default_aid_items
    from .duplicates.rules import ensure_default_rules
    from .regions.national import ensure_national
    from .search.synonyms import ensure_default_synonyms

    with transaction(engine_of(app)) as session:
        added = ensure_national(session)
        ensure_default_rules(session)
        ensure_default_aid_items(session)
        ensure_default_synonyms(session)
        return added


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="姓名或称呼")
@click.option("--role", type=click.Choice(["staff", "charity", "volunteer"]), required=True)
@click.option("--region", "region_code", help="行政区划代码 (staff: the region they are responsible for)")
@click.option("--organization-id", type=int)
@click.option("--duties", default="", metavar="CODES",
              help="staff duties, comma-separated (accounts, registry_import, need_posting, verification, "
                   "org_vetting, rules), or `all`; default none")
@click.password_option(help="at least 10 characters; prompted when omitted")
def create_user(email, display_name, role, region_code, organization_id, duties, password) -> None:
    """Create a sign-in account. The first administrator: --role staff --duties all."""
    from .auth.service import create_user as create
    from .errors import Invalid
    from .security import events
    from .vocabulary import STAFF_DUTIES

    app = _app()
    try:
        with transaction(engine_of(app)) as session:
            user = create(session, email=email, password=password, display_name=display_name, role=role,
                          region_code=region_code, organization_id=organization_id,
                          duties=list(STAFF_DUTIES) if duties.strip() == "all" else duties)
            events.record(session, "account.create", subject=user, role=role, region=user.region_code,
                          organization=organization_id, duties=user.duties, via="cli")
            click.echo(f"created user {user.id}: {user.email} ({role}{'; ' + user.duties if user.duties else ''})")
    except Invalid as error:
        click.echo(f"error: {error.field}: {error.message}", err=True)
        sys.exit(2)


@main.command("serve")
@click.option("--bind", default=None, help="address:port to listen on  [default: 127.0.0.1:5000]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes  [default: one per core, at most 8]")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="threads per worker  [default: 4]")
def serve(bind: str | None, workers: int | None, threads: int | None) -> None:
    """Serve the platform with gunicorn (put nginx with TLS in front of it in production)."""
    # Once here, before any worker: a bad configuration fails now rather than in every worker, and the
    # instance keys are generated by one process, not raced for by several.
    engine_of(create_app()).dispose()
    _run_server(bind, workers, threads)


def _run_server(bind: str | None, workers: int | None, threads: int | None) -> None:
    from . import serving

    # Each worker builds its own app (serving.py says why); no version in the Server header, 414 for long
    # URLs, no query strings logged.
    serving.serve(create_app, bind=bind or serving.DEFAULT_BIND, workers=workers,
                  threads=threads or serving.DEFAULT_THREADS)


@main.command("worker")
@click.option("--once", is_flag=True, help="run one round and exit")
@click.option("--interval", default=60, show_default=True, type=int, help="seconds between housekeeping rounds")
@click.option("--poll", default=1.0, show_default=True, type=float,
              help="seconds between reads of the outbox (search updates appear within this delay)")
@click.option("--name", default=None, help="heartbeat name  [default: host:pid:search index directory]")
def worker(once: bool, interval: int, poll: float, name: str | None) -> None:
    """Deliver the outbox (search index updates, queued mail) and do housekeeping: release claims not
    started in time, expire needs past their deadline."""
    app = _app()
    run_worker(app, once=once, interval=interval, poll=poll, echo=click.echo, name=name)


@main.group("reports")
def reports_group() -> None:
    """统计报表 snapshots of prefectures and counties (derived; the worker keeps them current)."""


@reports_group.command("refresh")
@click.option("--force", is_flag=True, help="recompute every snapshot now, not only those due")
def reports_refresh(force: bool) -> None:
    """Recompute the report snapshots that are due (cron, where no worker runs), or all with --force."""
    from .reports.snapshots import refresh_due

    app = _app()
    minutes = app.config["REPORT_REFRESH_MINUTES"]
    if minutes <= 0:
        click.echo("report snapshots are off (MARKETPLACE_REPORT_REFRESH_MINUTES=0): the page counts live")
        return
    with transaction(engine_of(app)) as session:
        refreshed = refresh_due(session, minutes=minutes, force=force, budget=float("inf"))
    for region, seconds in refreshed:
        click.echo(f"{region}: {seconds:.2f} s")
    click.echo(f"refreshed={len(refreshed)}")


@main.group("search")
def search_group() -> None:
    """The full-text search index (derived from the database)."""


@search_group.command("rebuild")
@click.option("--procs", type=int, help="indexing processes (default: 1 below 20,000 needs, else all cores up to 4)")
def search_rebuild(procs: int) -> None:
    """Rebuild the search index from the database beside the live one, then swap it in."""
    from .search.sync import SearchSync

    app = _app()
    sync = SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"]))
    with click.progressbar(length=sync.total(), label="重建检索索引 rebuilding search index",
                           show_pos=True, show_eta=True, file=sys.stderr) as bar:
        count = sync.rebuild(progress=bar.update, procs=procs)
    click.echo(f"indexed={count} path={app.config['SEARCH_INDEX_DIR']}")


@main.command("verify-ledger")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a checkpoint printed by `marketplace ledger checkpoint` and kept elsewhere")
def verify_ledger(checkpoint_file: Path | None) -> None:
    """Check every assistance chain, its head and the checkpoints; exit 1 naming each broken chain."""
    from .ledger.commands import verify

    verify(_app(), checkpoint_file)


@main.command("export-ledger")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--region", "region_code", help="行政区划代码: only entries of this division and below")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="first date of aid (YYYY-MM-DD)")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="last date of aid (YYYY-MM-DD)")
def export_ledger(path: Path, fmt: str, region_code: str | None, date_from, date_to) -> None:
    """Write the 救助帮扶衔接台账: one row per chain entry, without names or ID numbers."""
    from .auth.access import scope_prefix
    from .db import reading_session
    from .ledger.export import ExportFilters, record_export
    from .ledger.export import export_ledger as run

    if region_code and not (region_code.isdigit() and len(region_code) in (6, 9, 12)):
        click.echo("error: --region 须为6、9或12位行政区划代码", err=True)
        sys.exit(2)
    filters = ExportFilters(scope_prefix(region_code) if region_code else None,
                            date_from.date() if date_from else None, date_to.date() if date_to else None)
    app = _app()
    with reading_session(engine_of(app)) as session:
        try:
            count = run(session, path, fmt, filters)
        except ValueError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
    # Its own short transaction: the export itself reads without holding SQLite's write lock.
    with transaction(engine_of(app)) as session:
        record_export(session, count, fmt, filters, region_code=region_code, via="cli")
    click.echo(f"exported={count} path={path}")


def import_file_options(command):
    """PATH, --dry-run and --errors: the same contract for every import command."""
    command = click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
                           help="where to write the rejected rows (default: <file>.errors.csv next to it)")(command)
    command = click.option("--dry-run", is_flag=True, help="validate and report, write nothing to the database")(command)
    return click.argument("path", type=click.Path(dir_okay=False, path_type=Path))(command)


@main.command("import-registry")
@import_file_options
def import_registry(path: Path, dry_run: bool, errors_path: Path | None) -> None:
    """Import a low-income registry (低收入人口名单), CSV or XLSX; re-importing is safe."""
    from .registry.importing import import_registry as run

    _run_import(run, path, dry_run, errors_path, event="registry.import")


@main.command("import-aid")
@import_file_options
def import_aid(path: Path, dry_run: bool, errors_path: Path | None) -> None:
    """Append government aid already paid (救助发放记录) to the households' chains; re-importing is safe."""
    from .registry.importing import import_aid as run

    _run_import(run, path, dry_run, errors_path, event="aid.import")


@main.command("import-needs")
@import_file_options
@click.option("--as", "actor_email", required=True, metavar="EMAIL",
              help="required: the staff account the needs are posted as (its region scope applies)")
def import_needs(path: Path, actor_email: str, dry_run: bool, errors_path: Path | None) -> None:
    """Publish a need list (需求清单), CSV or XLSX, as open needs; re-importing is safe.

    Columns: 户编号, 需求类别, 标题, 描述, 需求形式 (资金/物资/服务/改造), 目标金额 or 数量, 截止日期,
    紧急程度; optional 服务开始, 服务结束, 受助成员, 物品, 一事一议理由. Each row passes the privacy scan
    and the duplicate check of a need posted by hand. --as EMAIL is required: needs are posted by a
    staff account, and only for households in its region."""
    from functools import partial

    from .needs.importing import import_needs as run

    _run_import(partial(run, actor_email=actor_email), path, dry_run, errors_path, event="needs.import")


def _run_import(run, path: Path, dry_run: bool, errors_path: Path | None, *, event: str) -> None:
    """Prints counts, file paths and column names only: never a row's content (it identifies people).
    A real (not dry) run leaves its counts in the 安全日志, as a web import does."""
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
    if result.unmapped_note():
        click.echo(result.unmapped_note())
    if dry_run:
        click.echo("试运行（--dry-run）：未写入数据库。")
    else:
        from .security.events import record

        with transaction(engine_of(app)) as session:
            record(session, event, rows=result.imported + result.updated + result.unchanged + result.rejected,
                   via="cli", file=path.name[:80], imported=result.imported, updated=result.updated,
                   unchanged=result.unchanged, rejected=result.rejected)
    click.echo(result.summary())


@main.command("demo")
@click.option("--bind", default=None, help="address:port to listen on  [default: 127.0.0.1:5000]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes  [default: one per core, at most 8]")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="threads per worker  [default: 4]")
@click.option("--no-serve", is_flag=True, help="create and seed the database, then exit")
def demo(bind: str | None, workers: int | None, threads: int | None, no_serve: bool) -> None:
    """Create the database, migrate it, seed the 亳州 demo data (once) and serve it."""
    from .demo.seed import seed_demo
    from .migrate import upgrade

    # The demo's staff accounts sign in with the printed password; set MARKETPLACE_STAFF_2FA=required
    # to try enrolment. Set in the environment so that the server's workers, which build their own app,
    # read it too.
    os.environ.setdefault("MARKETPLACE_STAFF_2FA", "optional")
    # Links in the demo's mail (rendered when queued, some while seeding) lead to the address it serves on.
    os.environ.setdefault("MARKETPLACE_BASE_URL", f"http://{bind or '127.0.0.1:5000'}")
    app = _app()
    upgrade(app.config["DATABASE_URL"])
    load_reference_data(app)
    logins = seed_demo(engine_of(app), app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    click.echo("\n善桥 demo — sign in with any of these accounts:")
    for role, email, password, what in logins:
        click.echo(f"  {role:<10} {email:<32} {password:<20} {what}")
    from .search.sync import SearchSync

    indexed = SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    click.echo(f"\nsearch index rebuilt: {indexed} needs")
    # No pooled connection may cross the fork into gunicorn's workers (they build their own app).
    engine_of(app).dispose()
    if no_serve:
        return
    import subprocess

    # The worker runs beside the server, as a process of its own so that it runs exactly once (not once
    # per gunicorn worker) and no thread is running when gunicorn forks: search updates and housekeeping
    # happen as in production.
    # Before the worker and the server build their apps: both read the sink's address from the environment.
    mail_sink = demo_commands.start_demo_mail(app.config["INSTANCE_PATH"])
    worker_process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "worker"])
    click.echo(f"Serving on http://{bind or '127.0.0.1:5000'} with a worker  (Ctrl+C to stop)")
    click.echo(f"Demo mail is caught, not sent: http://{bind or '127.0.0.1:5000'}/demo/mailbox (演示邮箱)\n")
    try:
        _run_server(bind, workers, threads)
    finally:
        import signal

        # gunicorn's arbiter reaps any child it is told about; the worker is ours to wait for.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for process in (worker_process, mail_sink):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


main.add_command(privacy_commands.purge)
main.add_command(demo_commands.mail_sink)
main.add_command(ledger_commands.ledger_group)
main.add_command(evaluation_commands.evaluation_group)
main.add_command(evidence_commands.evidence_group)
main.add_command(registry_commands.registry_group)
main.add_command(i18n_catalog.i18n_group)
main.add_command(transparency_cli.transparency_group)
main.add_command(bulletins_cli.bulletins_group)
for _command in KEY_COMMANDS:  # keys rotate, backup, restore
    main.add_command(_command)

if __name__ == "__main__":
    main()
