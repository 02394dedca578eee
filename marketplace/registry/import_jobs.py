"""Imports started from the web page run in a background thread after the upload request commits; the
job row carries their progress, which the page polls. The importer commits batch by batch itself."""

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlmodel import Session

from ..auth.access import require_duty, scope_prefix
from ..db import transaction
from ..errors import Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..private_files import private_dir
from .models import ImportJob

log = logging.getLogger(__name__)

KINDS = {"registry": N_("低收入人口名单"), "aid": N_("政府救助发放记录")}
# How long a finished job's errors file (rejected rows, identifiers masked) stays downloadable by its owner.
ERRORS_KEPT = timedelta(hours=24)
SUFFIXES = (".csv", ".xlsx")


def create_job(session: Session, actor, kind: str, filename: str) -> ImportJob:
    require_duty(actor, "registry_import")
    if kind not in KINDS:
        raise Invalid(_("请选择导入类型。"), "kind")
    if not filename.lower().endswith(SUFFIXES):
        raise Invalid(_("只接受 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。"), "file")
    job = ImportJob(kind=kind, filename=filename[:255], created_by_id=actor.id)
    session.add(job)
    session.flush()
    return job


def upload_path(instance_path: str, job: ImportJob) -> Path:
    folder = private_dir(Path(instance_path) / "uploads")
    return folder / f"job-{job.id}{Path(job.filename).suffix.lower()}"


def start(app, job_id: int, path: Path, region_code: str, dry_run: bool) -> threading.Thread:
    thread = threading.Thread(target=_run_then_delete_upload, args=(app, job_id, path, region_code, dry_run),
                              name=f"import-{job_id}", daemon=True)
    thread.start()
    return thread


def _run_then_delete_upload(app, job_id: int, path: Path, region_code: str, dry_run: bool) -> None:
    """The upload holds names and ID numbers of a whole registry: it lives only while its job runs,
    whatever the outcome (re-running means uploading again). Its errors file stays for its owner to
    download until the worker's housekeeping removes it (purge_expired_files)."""
    try:
        _run(app, job_id, path, region_code, dry_run)
    finally:
        path.unlink(missing_ok=True)


def purge_expired_files(session: Session, instance_path: str, now: datetime | None = None) -> int:
    """Errors files of jobs that ended more than ERRORS_KEPT ago, and any upload left older than that by
    a process that died mid-import; returns how many files were deleted."""
    now = now or utcnow()
    cutoff = now - ERRORS_KEPT
    deleted = 0
    jobs = session.scalars(select(ImportJob).where(ImportJob.errors_path.is_not(None),
                                                   ImportJob.finished_at < cutoff))
    for job in jobs:
        errors = Path(job.errors_path)
        if errors.exists():
            errors.unlink()
            deleted += 1
        job.errors_path = None
    folder = Path(instance_path) / "uploads"
    if folder.is_dir():
        for leftover in folder.iterdir():
            if leftover.is_file() and leftover.stat().st_mtime < cutoff.timestamp():
                leftover.unlink(missing_ok=True)
                deleted += 1
    session.flush()
    return deleted


def _set(engine, job_id: int, **values) -> None:
    with transaction(engine) as session:
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))


def _run(app, job_id: int, path: Path, region_code: str, dry_run: bool) -> None:
    from .importing import ImportFileError, import_aid, import_registry

    engine, vault = app.extensions["marketplace.engine"], app.extensions["marketplace.vault"]
    with transaction(engine) as session:
        job = session.get(ImportJob, job_id)
        kind, actor_id = job.kind, job.created_by_id
    _set(engine, job_id, status="running")
    importer = import_registry if kind == "registry" else import_aid
    errors_path = path.with_name(path.stem + ".errors.csv")
    if not scope_prefix(region_code or ""):
        # An upload runs inside its uploader's scope, always: an empty prefix would be the CLI operator's.
        _finish(engine, job_id, kind, actor_id, region_code, dry_run, status="failed",
                message=N_("您的账号未设置负责的行政区划，不能导入。"), finished_at=utcnow())
        return
    try:
        result = importer(engine, vault, path, dry_run=dry_run, errors_path=errors_path,
                          scope_prefix=scope_prefix(region_code), actor_id=actor_id,
                          progress=lambda done, total: _set(engine, job_id, processed=done, total=total))
    except ImportFileError as error:
        _finish(engine, job_id, kind, actor_id, region_code, dry_run, status="failed", message=str(error),
                finished_at=utcnow())
        return
    except Exception:
        log.exception("import job %s failed", job_id)
        _finish(engine, job_id, kind, actor_id, region_code, dry_run, status="failed",
                message=N_("导入时发生内部错误，已写入的批次保持有效，可重新上传同一文件继续。"), finished_at=utcnow())
        return
    unknown = "、".join(result.unknown_columns)
    message = "".join(filter(None, (N_("试运行：未写入任何数据。") if dry_run else None,
                                    f"已忽略未识别的列：{unknown}。" if unknown else None, result.unmapped_note())))
    _finish(engine, job_id, kind, actor_id, region_code, dry_run, status="done", imported=result.imported,
            updated=result.updated, unchanged=result.unchanged, rejected=result.rejected, finished_at=utcnow(),
            errors_path=str(result.errors_path) if result.rejected and result.errors_path else None,
            message=message or None)


def _finish(engine, job_id: int, kind: str, actor_id: int, region_code: str, dry_run: bool, **values) -> None:
    """The job's last state and its 安全日志 row (registry.import / aid.import, by the job's creator) in one
    transaction: the log never says a job ended that did not, nor misses one that did."""
    from ..auth.models import AppUser
    from ..security import events

    done = values["status"] == "done"
    if done:
        detail = {k: values[k] for k in ("imported", "updated", "unchanged", "rejected")}
        rows = sum(detail.values())
    else:
        detail, rows = {"reason": values["message"][:80]}, None
    if dry_run:
        detail["dry_run"] = True
    with transaction(engine) as session:
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))
        events.record(session, f"{kind}.import", outcome="ok" if done else "failed",
                      actor=session.get(AppUser, actor_id), region_code=region_code, rows=rows, job=job_id,
                      **detail)
