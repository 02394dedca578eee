"""HTTP caching and compression.

- Public pages and the public API, for anonymous visitors: `Cache-Control: public, max-age=60` (a new
  need shows within a minute) and a weak ETag on the body, answered 304 on If-None-Match, so a browser or
  nginx revalidates without the page being sent again. Vary names HX-Request (a fragment and a page
  differ), Cookie (a signed-in visitor gets another page) and Accept-Encoding.
- Signed-in pages stay `no-store` (web._headers), and so does any response that sets a cookie or shows a
  flash message: nothing personal ever enters a shared cache. That is also why a publicly cached page
  carries no CSRF token (templates/base.html asks `public_cacheable()`): the token is per session.
- Static files: `static_url(name)` appends `?v=<content hash>`, computed once per file, so they can be
  cached for a year (immutable); a URL without the current hash is revalidated instead.
- Compression (flask-compress): brotli or gzip, whichever the client prefers, for HTML, JSON, CSS, JS
  and SVG. Registered so that it runs after the ETag is set on the uncompressed body; a weak ETag
  stays valid across encodings, which is what weak means."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import g, request, session, url_for
from flask_compress import Compress
from flask_login import current_user

# /, /needs, /needs/<id>, /organizations, /organizations/<id>, /transparency and its CSVs (阳光公示); the
# whole public API (/api/v1/*).
PUBLIC_ENDPOINTS = frozenset({"needs.home", "needs.index", "needs.detail", "organizations.index",
                              "organizations.detail", "transparency.index", "transparency.table_csv"})
PUBLIC_BLUEPRINTS = frozenset({"api"})
PUBLIC_MAX_AGE = 60
STATIC_MAX_AGE = 365 * 24 * 3600
COMPRESSED_TYPES = ["text/html", "application/json", "text/css", "text/javascript", "application/javascript",
                    "image/svg+xml", "text/plain"]

compress = Compress()


def public_cacheable() -> bool:
    """This request's answer is the same for every anonymous visitor and may be kept by shared caches."""
    return (request.method in ("GET", "HEAD")
            and (request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS)
            and "Authorization" not in request.headers
            and not current_user.is_authenticated)


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime_ns: int) -> str:
    # Keyed on the modification time too: a file changed under a running dev server gets a new hash.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    try:
        return _fingerprint(str(path), path.stat().st_mtime_ns)
    except OSError:
        return None


def static_url(filename: str) -> str:
    from flask import current_app

    version = fingerprint(current_app.static_folder, filename)
    return url_for("static", filename=filename, v=version) if version else url_for("static", filename=filename)


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
    # Brotli 4 compresses a page about as well as gzip 6 and faster; pages are compressed per request.
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    # Long-lived static files: safe because every URL the templates emit carries the content hash.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    compress.init_app(app)  # its after_request runs after the one below (Flask runs them in reverse)
    app.jinja_env.globals.update(static_url=static_url, public_cacheable=public_cacheable)

    @app.after_request
    def _cache_headers(response):
        if request.endpoint == "static":
            if response.status_code in (200, 304):  # the file exists inside the static folder
                _static_headers(app, response)
            return response
        if response.status_code != 200 or not public_cacheable():
            return response
        if (getattr(session, "modified", True) or "Set-Cookie" in response.headers or "csrf_token" in g
                or "Cache-Control" in response.headers or response.is_streamed):
            return response  # a flash shown, a session begun, a CSRF token rendered, or the view decided
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")  # the language of a visitor without the `lang` cookie
        response.set_etag(hashlib.blake2b(response.get_data(), digest_size=16).hexdigest(), weak=True)
        return response.make_conditional(request)


def _static_headers(app, response) -> None:
    """A year and immutable for the current fingerprint; an unversioned or stale URL is revalidated."""
    filename = (request.view_args or {}).get("filename", "")
    current = fingerprint(app.static_folder, filename)
    if response.status_code == 200 and response.mimetype in COMPRESSED_TYPES:
        # Read the (small) file into the response so that it is compressed with gzip as well: flask-compress
        # compresses a streamed file with brotli only.
        response.direct_passthrough = False
        response.make_sequence()
    if current and request.args.get("v") == current:
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
