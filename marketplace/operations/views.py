"""/metrics for Prometheus, and the per-request timing that feeds it.

Only addresses in MARKETPLACE_METRICS_ALLOW (IPs or networks, default 127.0.0.1 and ::1) are answered;
anyone else gets the ordinary 404 page, as for an address that does not exist, and an access.denied row
in the 安全日志. The address is `request.remote_addr`: the peer, or with MARKETPLACE_PROXY_FIX the client
nginx names in X-Forwarded-For. A request that arrives through a proxy the app was not told about (it
carries X-Forwarded-For while MARKETPLACE_PROXY_FIX is 0) is refused, because its remote address is the
proxy's own, 127.0.0.1 when nginx runs on the same host: the world would pass the default list.

The timing hooks run first and last among the app's hooks (inserted at the front of both lists), so a
request's time includes the policy checks, the view, compression and the commit; they read a clock and
a dict, and the metrics module is imported on the first request (metrics.py says why)."""

import ipaddress
import time

from flask import Blueprint, abort, current_app, g, request

from ..auth.policy import permission
from ..db import db

bp = Blueprint("operations", __name__)

DEFAULT_ALLOW = "127.0.0.1,::1"


def allow_list(raw: str | None) -> tuple:
    """Parsed once at start-up: a typo fails create_app, not the first scrape."""
    networks = []
    for item in (raw if raw is not None else DEFAULT_ALLOW).split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as error:
                raise ValueError(f"MARKETPLACE_METRICS_ALLOW: {item.strip()!r} is not an IP address or "
                                 f"network") from error
    return tuple(networks)


def _allowed(app) -> bool:
    if request.headers.get("X-Forwarded-For") and not app.config.get("PROXY_FIX"):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in app.extensions["marketplace.metrics_allow"])


@bp.get("/metrics")
@permission("ops.metrics")
def metrics():
    if not _allowed(current_app):
        from ..security import events

        events.record(db(), "access.denied", outcome="denied", endpoint=request.endpoint,
                      method=request.method, permission="ops.metrics")
        abort(404)
    from . import metrics as prometheus

    body, content_type = prometheus.exposition(db(), current_app.config["SEARCH_INDEX_DIR"],
                                               request.headers.get("Accept"), current_app.logger)
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}


def init_app(app) -> None:
    app.extensions["marketplace.metrics_allow"] = allow_list(app.config.get("METRICS_ALLOW"))
    app.register_blueprint(bp)

    def _started():
        g.request_started = time.perf_counter()

    def _finished(response):
        started = g.pop("request_started", None)
        if started is not None:
            from .metrics import observe

            observe(request.endpoint, request.method, response.status_code, time.perf_counter() - started)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request_funcs.setdefault(None, []).insert(0, _finished)
