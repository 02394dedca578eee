"""Probes for the load balancer and the process supervisor.

- `/healthz` (liveness): the process answers. It touches nothing else, so a database outage does not
  make the supervisor restart every app process at once.
- `/readyz` (readiness): this node can serve. The database answers a trivial query; this node's search
  index opens; the search event stream is being applied, the sign that a worker runs. There is no worker
  heartbeat store yet: the stream lag stands in for it (the oldest search event this node's index has not
  applied, in seconds; only the worker applies them). JSON with each check, 200 or 503.

Both are open to anyone (a probe carries no credentials) and reveal no data: states and a lag in seconds."""

from datetime import UTC
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from .auth.policy import permission
from .db import db
from .modelbase import utcnow
from .outbox.models import OutboxMessage
from .outbox.service import SEARCH
from .search import index

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@permission("ops.probe")
def healthz():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
@permission("ops.probe")
def readyz():
    checks = {"database": _database(), "search_index": _search_index()}
    checks["search_stream"] = _search_stream() if checks["database"]["ok"] else {
        "ok": False, "detail": "数据库不可用，无法检查"}
    ready = all(check["ok"] for check in checks.values())
    response = jsonify({"ready": ready, "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> dict:
    try:
        # The request's own session: on SQLite a second connection would wait for the write lock a
        # signed-in request's session holds.
        db().execute(text("SELECT 1"))
    except Exception as error:  # any driver error means not ready; its class, never its text (a URL)
        current_app.logger.warning("readiness: database unreachable (%s)", type(error).__name__)
        return {"ok": False, "detail": "数据库无法连接"}
    return {"ok": True}


def _search_index() -> dict:
    try:
        index.open_index(Path(current_app.config["SEARCH_INDEX_DIR"])).close()
    except index.SearchUnavailable:
        return {"ok": False, "detail": "搜索索引缺失或无法读取（worker 会重建）"}
    return {"ok": True}


def _search_stream() -> dict:
    cursor = index.read_cursor(Path(current_app.config["SEARCH_INDEX_DIR"]))
    try:
        oldest = db().scalar(select(func.min(OutboxMessage.created_at))
                             .where(OutboxMessage.topic == SEARCH, OutboxMessage.id > cursor))
    except Exception as error:
        current_app.logger.warning("readiness: search stream unreadable (%s)", type(error).__name__)
        return {"ok": False, "detail": "无法读取搜索事件"}
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns the stored UTC time without its zone
        oldest = oldest.replace(tzinfo=UTC)
    lag = 0 if oldest is None else max(0, int((utcnow() - oldest).total_seconds()))
    limit = current_app.config["READY_MAX_SEARCH_LAG_SECONDS"]
    check = {"ok": lag <= limit, "lag_seconds": lag, "limit_seconds": limit,
             "note": "尚无 worker 心跳记录，以搜索事件积压代替"}
    if not check["ok"]:
        check["detail"] = "搜索事件积压过久，worker 可能未运行"
    return check
