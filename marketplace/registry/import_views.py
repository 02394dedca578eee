"""The staff upload page for registry and aid files, with a progress bar that htmx polls."""

from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, request, send_file
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import found
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid, NotFound
from ..i18n import N_, _
from ..private_files import open_private
from ..security import events
from ..web import done, render
from . import import_jobs
from .models import ImportJob

bp = Blueprint("imports", __name__)


def _own_job(job_id: int) -> ImportJob:
    job = found(db().get(ImportJob, job_id), N_("导入任务"))
    if job.created_by_id != current_user.id:
        abort(403)  # the file and its error report hold the uploader's own registry data
    return job


@bp.route("/staff/imports", methods=["GET", "POST"])
@permission("registry.import")
def index():
    session = db()
    error = None
    if request.method == "POST":
        upload = request.files.get("file")
        name = (upload.filename or "") if upload else ""
        try:
            if not name:
                raise Invalid(_("请选择要上传的文件。"), "file")
            # Keep the original (often Chinese) name for display; the stored file gets a safe name.
            job = import_jobs.create_job(session, current_user, request.form.get("kind", ""), name)
        except Invalid as invalid:
            error = invalid.message
        else:
            path = import_jobs.upload_path(current_app.config["INSTANCE_PATH"], job)
            with open_private(path, "wb") as handle:  # 0600: a whole registry's names and ID numbers
                upload.save(handle)
            response = make_response(done(_("文件已上传，正在导入。"), "imports.show", job_id=job.id))
            app, region = current_app._get_current_object(), current_user.region_code
            dry_run = request.form.get("dry_run") == "1"
            # The thread starts when the response is closed: after the request's commit, so the job row exists.
            response.call_on_close(lambda: import_jobs.start(app, job.id, path, region, dry_run))
            return response
    jobs = list(session.scalars(select(ImportJob).where(ImportJob.created_by_id == current_user.id)
                                .order_by(ImportJob.created_at.desc()).limit(20)))
    return render("registry/imports.html", jobs=jobs, kinds=import_jobs.KINDS, error=error,
                  status=422 if error else 200)


@bp.get("/staff/imports/<int:job_id>")
@permission("registry.import")
def show(job_id: int):
    job = _own_job(job_id)
    return render("registry/import_job.html", fragment="registry/_import_progress.html", job=job,
                  kinds=import_jobs.KINDS)


@bp.get("/staff/imports/<int:job_id>/errors.csv")
@permission("registry.import")
def errors(job_id: int):
    job = _own_job(job_id)
    if not job.errors_path or not Path(job.errors_path).is_file():
        raise NotFound(_("被拒绝行的文件已删除：它在导入结束后保留 24 小时。请重新上传原文件以再次生成。"))
    events.record(db(), "download", rows=job.rejected, what="导入拒绝行", job=job.id)
    return send_file(job.errors_path, mimetype="text/csv", as_attachment=True,
                     download_name=f"rejected-rows-{job.id}.csv")
