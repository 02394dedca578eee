"""The Prometheus metrics of /metrics (operations/views.py serves them).

Counted in each app process, per request (a before/after_request pair, views.init_app):
- shanqiao_http_requests_total and shanqiao_http_request_duration_seconds, labelled by endpoint name
  (`needs.detail`, never the raw path: no ids or tokens in labels; `unmatched` for a 404 no route
  matched), method (the usual verbs, anything else `other`) and status class (`2xx` …).

Read from the database when scraped (operations/readings.py and heartbeat.py; each an indexed query):
- shanqiao_outbox_backlog{topic}: mail not yet delivered; search events this node has not applied;
- shanqiao_mail_failed: mail given up on;
- shanqiao_search_index_lag_seconds: how long this node's oldest unapplied search event has waited;
- shanqiao_worker_heartbeat_age_seconds{worker} per worker row, and
  shanqiao_worker_heartbeat_freshest_age_seconds (+Inf when no worker ever beat);
- shanqiao_database_up: 0 when those reads failed (the request figures are still served).

Under gunicorn every worker process counts its own requests. serving.py points PROMETHEUS_MULTIPROC_DIR
at a fresh directory before the workers start; prometheus_client then keeps each process's counts in a
memory-mapped file there and a scrape, answered by any one worker, sums them all. Without that variable
(tests, `flask run`) the counts live in this process.

prometheus_client chooses between the two when it is first imported, so this module is imported on the
first request, never by create_app: `marketplace serve` builds an app in gunicorn's master (to fail early
on a bad configuration) before serving.py sets the variable, and the forked workers would inherit the
in-process choice."""

import os

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

from . import heartbeat, readings

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if MULTIPROCESS and not getattr(values.ValueClass, "_multiprocess", False):
    # prometheus_client was imported before the variable was set (see above): choose again, before any
    # metric below is made.
    values.ValueClass = values.get_value_class()
# A `_created` timestamp series beside every counter and histogram doubles the output for nothing here.
prometheus_client.disable_created_metrics()

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LABELS = ("endpoint", "method", "status")

_local = CollectorRegistry()  # this process's request figures, when not in multiprocess mode
REQUESTS = Counter("shanqiao_http_requests", "HTTP requests answered", LABELS, registry=_local)
LATENCY = Histogram("shanqiao_http_request_duration_seconds",
                    "Time from the first to the last request hook, by endpoint", LABELS, registry=_local)


def observe(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    labels = (endpoint or "unmatched", method if method in METHODS else "other", f"{status // 100}xx")
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


class _Readings:
    """The database gauges, read when a scrape collects them."""

    def __init__(self, session, index_dir: str, logger):
        self.session, self.index_dir, self.logger = session, index_dir, logger

    def collect(self):
        up = GaugeMetricFamily("shanqiao_database_up", "1 if the gauges below could be read from the database")
        try:
            families = list(self._families())
        except SQLAlchemyError as error:
            self.session.rollback()
            self.logger.warning("metrics: database unreadable (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self):
        session = self.session
        backlog = GaugeMetricFamily("shanqiao_outbox_backlog",
                                    f"Outbox rows not done: mail waiting for delivery, search events this node "
                                    f"has not applied (counted up to {readings.COUNT_CAP})", labels=["topic"])
        for topic, count in sorted(readings.backlog(session, self.index_dir).items()):
            backlog.add_metric([topic], count)
        yield backlog
        yield GaugeMetricFamily("shanqiao_mail_failed", "Mail given up on after its last attempt",
                                value=readings.mail_failed(session))
        yield GaugeMetricFamily("shanqiao_search_index_lag_seconds",
                                "Age of the oldest search event this node's index has not applied",
                                value=readings.search_lag_seconds(session, self.index_dir))
        per_worker = GaugeMetricFamily("shanqiao_worker_heartbeat_age_seconds",
                                       "Seconds since each worker last finished a round", labels=["worker"])
        for name, age in sorted(heartbeat.ages(session).items()):
            per_worker.add_metric([name], age)
        yield per_worker
        freshest = heartbeat.freshest_age(session)
        yield GaugeMetricFamily("shanqiao_worker_heartbeat_freshest_age_seconds",
                                "Seconds since any worker last finished a round (+Inf: none ever did)",
                                value=float("inf") if freshest is None else freshest)


def exposition(session, index_dir: str, accept: str | None, logger) -> tuple[bytes, str]:
    """The scrape's body and content type (Prometheus text or OpenMetrics, as the scraper accepts)."""
    registry = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(registry)  # every process's files in PROMETHEUS_MULTIPROC_DIR, summed
    else:
        registry.register(_local)
    registry.register(_Readings(session, index_dir, logger))
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type
