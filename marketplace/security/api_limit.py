"""The public API's per-address counter, batched per process.

A database upsert per API request serialised every answer behind the database's write lock (on SQLite
the whole file's): the API ran at a tenth of what its pages could. Each process now keeps, per address,
the requests not yet written and the window's total as last read, and writes the pending ones in one
upsert when they could matter: the first request of a window, every FLUSH_EVERY requests, after
FLUSH_SECONDS, or as soon as the known total plus the pending ones would pass the limit. So a caller under
the limit costs one write a second at most, and one over it is refused on the request that crosses it
(within FLUSH_EVERY − 1 requests per other process serving the same caller, across nodes)."""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..modelbase import utcnow

FLUSH_EVERY = 25
FLUSH_SECONDS = 1.0
WINDOW = timedelta(minutes=1)


@dataclass
class _Caller:
    pending: int = 0
    known: int = 0
    window_start: datetime | None = None
    flushed_at: float = field(default_factory=time.monotonic)


class ApiCounter:
    def __init__(self):
        self._callers: dict[str, _Caller] = {}
        self._lock = threading.Lock()

    def refusal(self, app, address: str, path: str):
        from .throttle import Refusal, add_api_requests

        limit = app.config["LOGIN_API_PER_MINUTE"]
        with self._lock:
            caller = self._callers.setdefault(address, _Caller())
            if caller.window_start is not None and utcnow() - caller.window_start >= WINDOW:
                caller.known, caller.window_start = 0, None  # the shared window has rolled over
            caller.pending += 1
            if (caller.window_start is not None and caller.known + caller.pending <= limit
                    and caller.pending < FLUSH_EVERY and time.monotonic() - caller.flushed_at < FLUSH_SECONDS):
                return None
            count, caller.pending = caller.pending, 0
            if len(self._callers) > 10_000:  # a scan from many addresses: forget the idle ones
                self._forget_idle()
        _before, total, started = add_api_requests(app, address, path, count)
        with self._lock:
            caller.known, caller.window_start, caller.flushed_at = total, started, time.monotonic()
        return Refusal(started + WINDOW) if total > limit else None

    def _forget_idle(self) -> None:
        cutoff = time.monotonic() - 120
        for address in [a for a, c in self._callers.items() if c.flushed_at < cutoff and not c.pending]:
            del self._callers[address]


def counter_of(app) -> ApiCounter:
    return app.extensions.setdefault("marketplace.api_counter", ApiCounter())
