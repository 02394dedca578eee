"""The production server of `marketplace serve` and `marketplace demo`: gunicorn, through its application
API (no config file to keep beside the code).

- Each gunicorn worker builds its own app with the factory (nothing is preloaded): the database engine,
  its pooled connections and the search index handles are never shared across a fork.
- The Server header says "Shanqiao" only: no gunicorn or Python version for an attacker to match against
  known flaws (the app's own responses never set one either).
- A request line longer than gunicorn's limit (8190 bytes, its maximum) is answered 414 with a Chinese
  message, after reading (and discarding) the rest of the line, instead of gunicorn's "400 Bad Request"
  on a socket closed with data unread, which the client saw as a dropped connection. Shorter URLs over
  8 KB reach the app, which answers its own 414 page (inputs.check_request).
- Access log lines carry no query string and no referrer: a staff search may carry a household number.
  Token paths are redacted by security/redaction.py, whose filter sits on gunicorn's loggers.
- /metrics sums the request counts of every worker process (prometheus_client's multiprocess mode):
  PROMETHEUS_MULTIPROC_DIR names a directory made for this server before any worker starts (a fresh
  temporary one, removed at exit; or the operator's own, emptied at start, since counts left there by an
  earlier server would be added to this one's). A worker that exits has its live gauges dropped."""

import contextlib
import gc
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

SERVER_NAME = "Shanqiao"
REQUEST_LINE_LIMIT = 8190  # gunicorn's maximum: a larger value (or 0) is taken as this, or as no limit
_DRAIN_LIMIT = 1024 * 1024  # beyond this the client is not a browser: just close
# Answered before Flask (no locale chosen yet): both languages.
_TOO_LONG = "网址太长（超过 8 KB），请缩短查询条件后重试。\nThe address is too long (over 8 KB): shorten the query and try again.\n".encode()
# Path only (%(U)s), no query string (%(q)s) and no referrer (%(f)s, a full URL with its query).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


def default_workers(cores: int | None = None) -> int:
    """One process per core, at most 8. Pages are CPU-bound Python (templates, the search engine), so a
    process per core uses every core; gunicorn's 2 × cores + 1 suits sync workers that block on I/O,
    which the threads of each worker already absorb here, and would only add memory and connections."""
    return max(1, min(cores or os.cpu_count() or 1, 8))


DEFAULT_THREADS = 4  # per worker: enough to overlap database waits and slow clients without GIL churn
DEFAULT_BIND = "127.0.0.1:5000"


class Worker(ThreadWorker):
    """gunicorn's threaded worker with our Server header and a proper 414."""

    def init_process(self):
        # gunicorn writes its Server header and SERVER_SOFTWARE from these module names, read per response.
        gunicorn.http.wsgi.SERVER = SERVER_NAME
        gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_NAME
        super().init_process()

    def load_wsgi(self):
        super().load_wsgi()
        # The app and what it imported are some 160,000 objects that live as long as the worker. A full
        # collection walked them all, stalling the request that triggered it for about 70 ms (seen as the
        # odd thumbnail over 50 ms in bench/evidence.py); frozen, collections skip them.
        gc.freeze()

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("request line over %d bytes from ip=%s: answered 414", REQUEST_LINE_LIMIT,
                         (addr or ("",))[0])
        if _drain(client):
            head = ("HTTP/1.1 414 URI Too Long\r\n"
                    f"Server: {SERVER_NAME}\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    f"Content-Length: {len(_TOO_LONG)}\r\n"
                    "Connection: close\r\n\r\n").encode("latin-1")
            with contextlib.suppress(OSError):  # the client went away: nothing to tell it
                client.sendall(head + _TOO_LONG)


def _drain(client: socket.socket) -> bool:
    """Read what the client is still sending of its request (the rest of the line and the headers), so
    that closing the socket does not reset the connection before the client reads the 414. False when
    the client sends more than a browser would."""
    read, tail = 0, b""
    try:
        client.settimeout(2)
        while read < _DRAIN_LIMIT:
            chunk = client.recv(64 * 1024)
            if not chunk:
                return True
            read += len(chunk)
            tail = (tail + chunk)[-4:]
            if tail.endswith(b"\r\n\r\n"):
                return True
    except (TimeoutError, OSError):
        return True  # nothing more arrived: the request was already read whole
    return False


class Server(BaseApplication):
    """`Server(create_app, {"bind": ..., "workers": ..., "threads": ...}).run()`; `factory` is called once
    in each worker."""

    def __init__(self, factory, options: dict):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self):
        settings = {
            "worker_class": f"{__name__}.Worker",
            "limit_request_line": REQUEST_LINE_LIMIT,
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "proc_name": "shanqiao",
            **self.options,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()


def serve(factory, *, bind: str = DEFAULT_BIND, workers: int | None = None,
          threads: int = DEFAULT_THREADS) -> None:
    options = {"bind": bind, "workers": workers or default_workers(), "threads": threads,
               "child_exit": _child_exit}
    made = prepare_metrics_dir()
    if made:
        # In the master, when it stops (a worker leaving runs no such hook).
        options["on_exit"] = lambda _arbiter: shutil.rmtree(made, ignore_errors=True)
    Server(factory, options).run()


_PROMETHEUS_FILE = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


def prepare_metrics_dir() -> Path | None:
    """Set PROMETHEUS_MULTIPROC_DIR for the workers this process forks (metrics.py reads it when first
    imported, in a worker). Returns the directory when it was made here, to remove at exit."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for leftover in Path(given).glob("*_*.db"):
            # Only prometheus_client's own files ({type}_{pid}.db): the directory is the operator's, and
            # may hold anything else, a database included.
            if _PROMETHEUS_FILE.fullmatch(leftover.name):
                leftover.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="shanqiao-metrics-"))  # 0700: request counts are nobody else's
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(made)
    return made


def _child_exit(_arbiter, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
