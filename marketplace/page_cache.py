"""A short-lived, in-process cache of the public pages and API answers anonymous visitors get.

Why: a city's needs page is opened by every charity, volunteer and curious citizen, and each answer is
the same for all of them. Rendering it (a search, a page of needs, the template) costs milliseconds;
replaying the finished bytes costs microseconds. This is the "micro-cache" nginx operators put in front
of such pages, kept here so that a deployment without a caching proxy (a county on one machine) has it.

- Only what http_cache already declares shareable is kept: a 200 on a public endpoint carrying
  `Cache-Control: public` (no cookie set, no flash, no CSRF token, not signed in). A request that carries
  the session cookie or an Authorization header is never answered from here, so no one signed in or in
  the middle of a form ever sees another visitor's page.
- Answers are kept `PUBLIC_PAGE_CACHE_SECONDS` (2 s by default; 0 turns the cache off): a need posted on
  another node shows within that time plus the search index's own lag, well inside the minute the page
  already tells shared caches (max-age=60). Any successful change made through this process (a POST, PUT,
  PATCH or DELETE) empties it at once, so on one node a change shows on the next request.
- Keyed by the host, the full URL, the htmx headers that choose page or fragment, and Accept-Encoding:
  the bytes kept are the compressed ones, so a hit is neither rendered nor compressed again.
- Bounded: least recently used entries go first beyond `PUBLIC_PAGE_CACHE_ENTRIES` or 64 MB.
- Replayed in front of Flask (Replay, a WSGI middleware): a hit costs a dictionary lookup. The API's
  per-address limit is counted there too: a replayed answer still counts against the caller."""

import threading
import time
from collections import OrderedDict

from flask import request
from werkzeug.http import HTTP_STATUS_CODES

from .http_cache import public_cacheable

MAX_BYTES = 64 * 1024 * 1024
_VARY_ENVIRON = ("HTTP_HOST", "HTTP_HX_REQUEST", "HTTP_HX_BOOSTED", "HTTP_HX_HISTORY_RESTORE_REQUEST", "HTTP_HX_TARGET",
                 "HTTP_ACCEPT_ENCODING")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PageCache:
    def __init__(self, seconds: float, entries: int, max_bytes: int = MAX_BYTES):
        self.seconds, self.entries, self.max_bytes = seconds, entries, max_bytes
        self._items: OrderedDict[tuple, tuple[float, int, list, bytes, str | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        now = time.monotonic()
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= now:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: tuple, status: int, headers: list, body: bytes, endpoint: str | None = None) -> None:
        if len(body) > self.max_bytes // 16:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + self.seconds, status, headers, body, endpoint)
            self._bytes += len(body)
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def _drop(self, key: tuple) -> None:
        self._bytes -= len(self._items.pop(key)[3])


def _key(environ) -> tuple:
    from .i18n import locale_of_environ

    # The language an anonymous visitor gets (the `lang` cookie, else Accept-Language), not the raw header:
    # browsers send many spellings of the same two choices.
    return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), locale_of_environ(environ),
            *(environ.get(name, "") for name in _VARY_ENVIRON))


def _anonymous(environ, cookie_name: str) -> bool:
    """No credentials at all: no Authorization header and no session cookie (whatever its prefix)."""
    return "HTTP_AUTHORIZATION" not in environ and f"{cookie_name}=" not in environ.get("HTTP_COOKIE", "")


def _eligible(app) -> bool:
    # GET only: a HEAD answer has no body, and Replay would send that empty body to the next GET.
    return (request.method == "GET" and public_cacheable()
            and _anonymous(request.environ, app.config["SESSION_COOKIE_NAME"]))


def cache_of(app) -> PageCache | None:
    return app.extensions.get("marketplace.page_cache")


def init_store(app) -> None:
    """Registered right after the database's commit hook, so it runs after every other after_request
    hook (Flask runs them in reverse): it keeps the response exactly as sent, headers and compression
    included."""
    seconds = float(app.config.get("PUBLIC_PAGE_CACHE_SECONDS", 2))
    if seconds <= 0:
        return
    cache = PageCache(seconds, int(app.config.get("PUBLIC_PAGE_CACHE_ENTRIES", 2000)))
    app.extensions["marketplace.page_cache"] = cache

    @app.after_request
    def _keep(response):
        if request.method in _WRITES and response.status_code < 400:
            cache.clear()  # this node's own change shows at once
        elif (response.status_code == 200 and _eligible(app)
                and response.headers.get("Cache-Control", "").startswith("public")
                and "Set-Cookie" not in response.headers and not response.is_streamed):
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("date", "content-length")]
            cache.put(_key(request.environ), response.status_code, headers, response.get_data(), request.endpoint)
        return response


class Replay:
    """WSGI middleware in front of Flask: a kept answer is sent without entering the app at all (no
    request context, hooks, session or database), which is what makes a hit nearly free. Only what
    init_store kept can be found, so the rules of what may be kept live there alone. API answers still
    count against the caller's limit first; one over the limit goes to the app, which answers the 429."""

    def __init__(self, app, wsgi_app, cache: PageCache):
        self.app, self.wsgi_app, self.cache = app, wsgi_app, cache
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and _anonymous(environ, self.cookie_name):
            started = time.perf_counter()
            item = self.cache.get(_key(environ))
            if item is not None and self._within_limit(environ):
                status, answer = self._send(item, environ, start_response)
                from .operations.metrics import observe  # imported by the request that kept the answer

                observe(item[4], "GET", status, time.perf_counter() - started)  # /metrics counts replays too
                return answer
        return self.wsgi_app(environ, start_response)

    def _within_limit(self, environ) -> bool:
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            return True
        from .security.throttle import api_refusal

        return api_refusal(self.app, environ.get("REMOTE_ADDR") or "unknown", environ["PATH_INFO"]) is None

    @staticmethod
    def _send(item, environ, start_response) -> tuple[int, list[bytes]]:
        _expires, status, headers, body, _endpoint = item
        etag = next((v for k, v in headers if k == "ETag"), None)
        if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            kept = [(k, v) for k, v in headers if k in ("ETag", "Cache-Control", "Vary")]
            start_response("304 Not Modified", kept)
            return 304, [b""]
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}",
                       [*headers, ("Content-Length", str(len(body)))])
        return status, [body]


def install(app) -> None:
    """Wraps the app's WSGI callable; called once the app is set up. A proxy fix applied later wraps
    this in turn, so REMOTE_ADDR is already the client's when the API limit reads it."""
    cache = cache_of(app)
    if cache is not None:
        app.wsgi_app = Replay(app, app.wsgi_app, cache)
