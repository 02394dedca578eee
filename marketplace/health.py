"""Probes for the load balancer and the process supervisor.

- `/healthz` (liveness): the process answers. It touches nothing else, so a database outage does not
  make the supervisor restart every app process at once.
- `/readyz` (readiness): this node can serve. The database answers a trivial query; this node's search
  index opens; a worker is alive (some `marketplace worker` finished a round within
  READY_MAX_HEARTBEAT_SECONDS, by its heartbeat row, operations/heartbeat.py); and this node's search
  events are being applied (the oldest one its index has not applied waited at most
  READY_MAX_SEARCH_LAG_SECONDS: a live worker elsewhere does not keep this node's index current).
  JSON with each check, 200 or 503.

Both are open to anyone (a probe carries no credentials) and reveal no data: states, ages and a lag in
seconds. The figures behind them are also served to Prometheus (/metrics, operations/)."""

from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .auth.policy import permission
from .db import db
from .operations import heartbeat, readings
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
    unchecked = {"ok": False, "detail": "数据库不可用，无法检查"}
    checks["worker"] = _worker() if checks["database"]["ok"] else unchecked
    checks["search_stream"] = _search_stream() if checks["database"]["ok"] else unchecked
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


def _worker() -> dict:
    limit = current_app.config["READY_MAX_HEARTBEAT_SECONDS"]
    try:
        age = heartbeat.freshest_age(db())
    except Exception as error:
        current_app.logger.warning("readiness: worker heartbeat unreadable (%s)", type(error).__name__)
        return {"ok": False, "detail": "无法读取 worker 心跳"}
    if age is None:
        return {"ok": False, "limit_seconds": limit,
                "detail": "没有任何 worker 心跳记录：后台 worker（marketplace worker）未运行"}
    check = {"ok": age <= limit, "age_seconds": int(age), "limit_seconds": limit}
    if not check["ok"]:
        check["detail"] = f"worker 已 {int(age)} 秒没有心跳（上限 {limit} 秒），可能已停止或卡住"
    return check


def _search_stream() -> dict:
    try:
        lag = readings.search_lag_seconds(db(), current_app.config["SEARCH_INDEX_DIR"])
    except Exception as error:
        current_app.logger.warning("readiness: search stream unreadable (%s)", type(error).__name__)
        return {"ok": False, "detail": "无法读取搜索事件"}
    limit = current_app.config["READY_MAX_SEARCH_LAG_SECONDS"]
    check = {"ok": lag <= limit, "lag_seconds": lag, "limit_seconds": limit}
    if not check["ok"]:
        check["detail"] = "本节点的搜索事件积压过久，本节点的 worker 可能未运行"
    return check
