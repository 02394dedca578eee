"""Imports started from the web page run in a background thread after the upload request commits; the
job row carries their progress, which the page polls. The importer commits batch by batch itself."""

import logging
import threading
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session

from ..auth.access import require_role, scope_prefix
from ..db import transaction
from ..errors import Invalid
from ..modelbase import utcnow
from .models import ImportJob

log = logging.getLogger(__name__)

KINDS = {"registry": "低收入人口名单", "aid": "政府救助发放记录"}
SUFFIXES = (".csv", ".xlsx")


def create_job(session: Session, actor, kind: str, filename: str) -> ImportJob:
    require_role(actor, "staff")
    if kind not in KINDS:
        raise Invalid("请选择导入类型。", "kind")
    if not filename.lower().endswith(SUFFIXES):
        raise Invalid("只接受 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。", "file")
    job = ImportJob(kind=kind, filename=filename[:255], created_by_id=actor.id)
    session.add(job)
    session.flush()
    return job


def upload_path(instance_path: str, job: ImportJob) -> Path:
    folder = Path(instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.id}{Path(job.filename).suffix.lower()}"


def start(app, job_id: int, path: Path, region_code: str, dry_run: bool) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(app, job_id, path, region_code, dry_run),
                              name=f"import-{job_id}", daemon=True)
    thread.start()
    return thread


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
    try:
        result = importer(engine, vault, path, dry_run=dry_run, errors_path=errors_path,
                          scope_prefix=scope_prefix(region_code), actor_id=actor_id,
                          progress=lambda done, total: _set(engine, job_id, processed=done, total=total))
    except ImportFileError as error:
        _set(engine, job_id, status="failed", message=str(error), finished_at=utcnow())
        return
    except Exception:
        log.exception("import job %s failed", job_id)
        _set(engine, job_id, status="failed", message="导入时发生内部错误，已写入的批次保持有效，可重新上传同一文件继续。",
             finished_at=utcnow())
        return
    unknown = "、".join(result.unknown_columns)
    _set(engine, job_id, status="done", imported=result.imported, updated=result.updated,
         unchanged=result.unchanged, rejected=result.rejected, finished_at=utcnow(),
         errors_path=str(result.errors_path) if result.rejected and result.errors_path else None,
         message=(f"已忽略未识别的列：{unknown}。" if unknown else None)
         if not dry_run else f"试运行：未写入任何数据。{'已忽略未识别的列：' + unknown if unknown else ''}")
