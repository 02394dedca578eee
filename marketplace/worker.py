"""The worker's loop (`marketplace worker`): this node's search index kept current from the outbox, queued
mail delivered, the heartbeat beaten, and every `interval` seconds the housekeeping (claims not started in
time released, needs past their deadline expired, scheduled mail, report snapshots due)."""

from datetime import date
from pathlib import Path

from .db import engine_of, transaction


def run_worker(app, *, once: bool = False, interval: int = 60, poll: float = 1.0, echo=None,
               stop=None, name: str | None = None) -> None:
    """The worker loop; `stop` (a threading.Event) ends it, for the demo's in-process worker."""
    import time

    from .ledger.checkpoints import checkpoint_for_worker
    from .notify.delivery import deliver_due
    from .operations.heartbeat import Heartbeat, default_name
    from .privacy.retention import purge_if_due
    from .privacy.retention import summary as retention_summary
    from .search.sync import SearchSync

    search = SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"]))
    # Read by /readyz and /metrics (operations/heartbeat.py): a round finished, at most every 5 s.
    heartbeat = Heartbeat(engine_of(app), name or default_name(app.config["SEARCH_INDEX_DIR"]))
    next_housekeeping = 0.0
    while True:
        indexed = search.catch_up()
        mailed = deliver_due(app)  # queued mail (marketplace/notify/delivery.py), a batch per poll
        if echo and (once or mailed.claimed):
            echo(str(mailed))
        if time.monotonic() >= next_housekeeping or once:
            released, expired = run_housekeeping(app)
            from .reports.snapshots import refresh_for_worker

            # 统计报表 of prefectures and counties whose snapshot is due, in a transaction of its own.
            refreshed = refresh_for_worker(app)
            if echo and refreshed:
                echo("report_snapshots=" + ",".join(f"{region}:{seconds:.1f}s" for region, seconds in refreshed))
            from .transparency.store import refresh_for_worker as refresh_public_figures

            # 阳光公示: every PUBLIC_FIGURES_MINUTES, the figures of every scope and category at once.
            figures = refresh_public_figures(app)
            if echo and figures:
                echo(f"public_figures={len(figures)} in {sum(seconds for *_, seconds in figures):.1f}s")
            from .bulletins.schedule import run_due as run_bulletins

            # 月度衔接情况通报: from the 1st, last month's for every county and prefecture, mailed once.
            bulletins = run_bulletins(app)
            if echo and bulletins:
                echo("bulletins=" + ",".join(f"{region}:{seconds:.1f}s:{mails}" for region, seconds, mails in bulletins))
            # Personal information past its retention period, once a day (privacy/retention.py).
            purged = purge_if_due(app)
            if echo and purged is not None:
                echo(retention_summary(purged, dry_run=False))
            # The keyed checkpoint over the chains' ends, once a day (ledger/checkpoints.py).
            checkpointed = checkpoint_for_worker(app)
            if echo and checkpointed:
                echo(checkpointed)
            next_housekeeping = time.monotonic() + interval
            if echo and (once or released or expired):
                echo(f"released_claims={released} expired_needs={expired} indexed_needs={indexed}")
        heartbeat.beat()
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
    from .evidence import service as evidence_files
    from .needs import service as needs
    from .notify import scheduled as scheduled_mail
    from .operations.heartbeat import prune as prune_heartbeats
    from .outbox.service import prune_stream
    from .registry.import_jobs import purge_expired_files as purge_import_files
    from .volunteering.attendance import auto_checkout

    # The app context gives mail rendering this app's SECRET_KEY and BASE_URL (signed links).
    with app.app_context(), transaction(engine_of(app)) as session:
        released = claims.expire_overdue(session)
        lapse_transfers(session)
        expired = needs.expire_overdue(session, today or date.today())
        from .routing.service import lapse_overdue as lapse_routings

        lapse_routings(session)  # needs a department left unanswered: the hold ended, the row says so
        auto_checkout(session)  # volunteers who forgot to check out (volunteering/attendance.py)
        scheduled_mail.run(session)  # claim.expiring, shift.reminder, digest.daily (notify/scheduled.py)
        prune_stream(session)
        prune_heartbeats(session)  # workers not heard from for a day (operations/heartbeat.py)
        # Import errors files a day after their job ended, uploads left by a dead process (registry/import_jobs.py)
        purge_import_files(session, app.config["INSTANCE_PATH"])
        evidence_files.sweep(session)  # bytes of hidden, removed and purged evidence files leave storage
    return released, expired
