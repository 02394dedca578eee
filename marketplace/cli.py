"""The `marketplace` command: database, accounts, the demo, the server and the worker."""

import os
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
    """The national GB/T 2260 county table, the default duplicate rules and search synonyms; idempotent."""
    from .duplicates.rules import ensure_default_rules
    from .regions.national import ensure_national
    from .search.synonyms import ensure_default_synonyms

    with transaction(engine_of(app)) as session:
        added = ensure_national(session)
        ensure_default_rules(session)
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
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the platform (threaded; put a WSGI server such as gunicorn in front for production)."""
    _run_server(_app(), host, port)


def _run_server(app, host: str, port: int) -> None:
    from .serving import serve

    serve(app, host, port)  # no version in the Server header, 414 for long URLs, no query strings logged


@main.command("worker")
@click.option("--once", is_flag=True, help="run one round and exit")
@click.option("--interval", default=60, show_default=True, type=int, help="seconds between housekeeping rounds")
@click.option("--poll", default=1.0, show_default=True, type=float,
              help="seconds between reads of the outbox (search updates appear within this delay)")
def worker(once: bool, interval: int, poll: float) -> None:
    """Deliver the outbox (search index updates, queued mail) and do housekeeping: release claims not
    started in time, expire needs past their deadline."""
    app = _app()
    run_worker(app, once=once, interval=interval, poll=poll, echo=click.echo)


def run_worker(app, *, once: bool = False, interval: int = 60, poll: float = 1.0, echo=None,
               stop=None) -> None:
    """The worker loop; `stop` (a threading.Event) ends it, for the demo's in-process worker."""
    import time

    from .notify.delivery import deliver_due
    from .search.sync import SearchSync

    search = SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"]))
    next_housekeeping = 0.0
    while True:
        indexed = search.catch_up()
        mailed = deliver_due(app)  # queued mail (marketplace/notify/delivery.py), a batch per poll
        if echo and (once or mailed.claimed):
            echo(str(mailed))
        if time.monotonic() >= next_housekeeping or once:
            released, expired = run_housekeeping(app)
            next_housekeeping = time.monotonic() + interval
            if echo and (once or released or expired):
                echo(f"released_claims={released} expired_needs={expired} indexed_needs={indexed}")
        if once or (stop is not None and stop.is_set()):
            return
        if mailed.sent >= app.config["MAIL_BATCH"]:
            continue  # a backlog of mail (a digest run): take the next batch without waiting
        if stop is not None:
            stop.wait(poll)
        else:
            time.sleep(poll)


def run_housekeeping(app, today: date | None = None) -> tuple[int, int]:
    from .claims import service as claims
    from .claims.discipline import lapse_overdue as lapse_transfers
    from .needs import service as needs
    from .notify import scheduled as scheduled_mail
    from .outbox.service import prune_stream
    from .registry.import_jobs import purge_expired_files as purge_import_files
    from .volunteering.attendance import auto_checkout

    # The app context gives mail rendering this app's SECRET_KEY and BASE_URL (signed links).
    with app.app_context(), transaction(engine_of(app)) as session:
        released = claims.expire_overdue(session)
        lapse_transfers(session)
        expired = needs.expire_overdue(session, today or date.today())
        auto_checkout(session)  # volunteers who forgot to check out (volunteering/attendance.py)
        scheduled_mail.run(session)  # claim.expiring, shift.reminder, digest.daily (notify/scheduled.py)
        prune_stream(session)
        # Import errors files a day after their job ended, uploads left by a dead process (registry/import_jobs.py)
        purge_import_files(session, app.config["INSTANCE_PATH"])
    return released, expired


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
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="create and seed the database, then exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, migrate it, seed the 亳州 demo data (once) and serve it."""
    from .demo.seed import seed_demo
    from .migrate import upgrade

    app = _app()
    # The demo's staff accounts sign in with the printed password; set MARKETPLACE_STAFF_2FA=required
    # to try enrolment.
    if "MARKETPLACE_STAFF_2FA" not in os.environ:
        app.config["STAFF_2FA"] = "optional"
    upgrade(app.config["DATABASE_URL"])
    load_reference_data(app)
    logins = seed_demo(engine_of(app), app.extensions["marketplace.vault"])
    click.echo("\n善桥 demo — sign in with any of these accounts:")
    for role, email, password, what in logins:
        click.echo(f"  {role:<10} {email:<32} {password:<20} {what}")
    from .search.sync import SearchSync

    indexed = SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"])).rebuild()
    click.echo(f"\nsearch index rebuilt: {indexed} needs")
    if no_serve:
        return
    import threading

    # The worker runs beside the server so search updates and housekeeping happen as in production.
    stop = threading.Event()
    threading.Thread(target=run_worker, args=(app,), kwargs={"stop": stop}, daemon=True,
                     name="marketplace-worker").start()
    click.echo(f"Serving on http://{host}:{port} with a worker  (Ctrl+C to stop)\n")
    try:
        _run_server(app, host, port)
    finally:
        stop.set()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
