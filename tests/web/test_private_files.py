"""Files holding personal data or keys: the upload lives only while its job runs, the errors file is the
owner's for 24 hours and then the worker deletes it, and everything under instance/ is 0700/0600."""

import io
import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text, update
from test_import_page import _csv, _wait_until_finished

from marketplace import create_app
from marketplace.db import make_engine
from marketplace.modelbase import utcnow
from marketplace.registry.models import ImportJob
from marketplace.worker import run_housekeeping
from support import login, post


def _mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def _upload(client, data: bytes, name: str) -> str:
    response = post(client, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(data), name)},
                    page="/staff/imports", content_type="multipart/form-data")
    job_url = response.headers["Location"]
    response.close()
    _wait_until_finished(client, job_url)
    return job_url


def test_uploads_are_deleted_when_the_job_ends_and_errors_files_a_day_later(client, world, app, instance_path):
    with world.tx() as s:
        world.user(s, world.poster).duties = "registry_import"
    login(client, "poster@guoyang.gov.cn")
    uploads = Path(instance_path) / "uploads"
    job_url = _upload(client, _csv(), "名单.csv")  # succeeds, one row rejected
    _upload(client, "姓名,电话\n张三,1\n".encode(), "bad.csv")  # fails: headers missing
    assert _mode(uploads) == 0o700
    left = list(uploads.iterdir())
    assert [p.name for p in left] == [f"job-{job_url.rsplit('/', 1)[1]}.errors.csv"]  # no upload remains
    assert _mode(left[0]) == 0o600

    report = client.get(job_url + "/errors.csv")
    text_ = report.get_data().decode("utf-8-sig")
    report.close()
    assert report.status_code == 200 and "MC-0001" in text_
    assert "MC-0001" in text_ and "341622196001010" not in text_  # the rejected row's ID number is masked

    run_housekeeping(app)  # within the day: kept
    assert left[0].exists()
    with world.tx() as s:
        s.execute(update(ImportJob).values(finished_at=utcnow() - timedelta(hours=25)))
    run_housekeeping(app)
    assert not left[0].exists()
    gone = client.get(job_url + "/errors.csv")
    assert gone.status_code == 404 and "保留 24 小时" in gone.get_data(as_text=True)
    assert "下载被拒绝的行" not in client.get(job_url).get_data(as_text=True)


def test_instance_directory_and_files_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("MARKETPLACE_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("MARKETPLACE_SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKETPLACE_DATA_KEY", raising=False)
    old_umask = __import__("os").umask(0o022)  # a permissive umask, as a service account often has
    try:
        app = create_app({"TESTING": True})
        engine = make_engine(app.config["DATABASE_URL"])
        with engine.begin() as conn:  # a write in WAL mode creates the -wal and -shm files
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            names = {p.name for p in instance.iterdir()}
            modes = {p.name: _mode(p) for p in instance.iterdir() if p.is_file()}
        engine.dispose()
        app.extensions["marketplace.engine"].dispose()
    finally:
        __import__("os").umask(old_umask)
    assert _mode(instance) == 0o700
    assert {"secret_key", "data_key", "shanqiao.db", "shanqiao.db-wal", "shanqiao.db-shm"} <= names
    assert modes and all(mode == 0o600 for mode in modes.values()), modes
