"""Configuration from MARKETPLACE_* environment variables, with safe defaults."""

import os
import secrets
import time
from pathlib import Path

from .recommend import weights as recommend_weights
from .resources import project_root


def instance_dir() -> Path:
    from .private_files import private_dir

    # 0700: it holds the keys, the SQLite database, uploaded registries and their errors files.
    return private_dir(os.environ.get("MARKETPLACE_INSTANCE_PATH") or project_root() / "instance")


def _persistent_secret(path: Path) -> str:
    """A key generated once per installation and kept beside the database, never in the code."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same installation wrote it first: use theirs
        for _ in range(50):
            if written := path.read_text().strip():
                return written
            time.sleep(0.01)
        raise
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def load_config() -> dict:
    inst = instance_dir()
    env = os.environ
    return {
        "INSTANCE_PATH": str(inst),
        "SECRET_KEY": env.get("MARKETPLACE_SECRET_KEY") or _persistent_secret(inst / "secret_key"),
        "DATABASE_URL": env.get("MARKETPLACE_DATABASE_URL") or f"sqlite:///{inst / 'shanqiao.db'}",
        "SQLITE_BUSY_TIMEOUT_MS": _int("MARKETPLACE_SQLITE_BUSY_TIMEOUT_MS", 15000),
        "CLAIM_START_DAYS": _int("MARKETPLACE_CLAIM_START_DAYS", 7),
        # A need staff refer to a charity's offer (定向转介) is held for its organisation this many days.
        "REFERRAL_HOLD_DAYS": _int("MARKETPLACE_REFERRAL_HOLD_DAYS", 7),
        # A family referred to civil affairs (双向转介) is answered within this many working days.
        "REFERRAL_DUE_WORKING_DAYS": _int("MARKETPLACE_REFERRAL_DUE_WORKING_DAYS", 10),
        # An organisation holding more than this many claims older than the start deadline (taken on and
        # not finished) must close or release some before it claims more.
        "CLAIM_STALE_LIMIT": _int("MARKETPLACE_CLAIM_STALE_LIMIT", 3),
        "PAGE_SIZE": _int("MARKETPLACE_PAGE_SIZE", 20),
        # Rows per page of the staff lists (queues, registry, logs, a household's chain: marketplace/paging.py).
        "STAFF_PAGE_SIZE": _int("MARKETPLACE_STAFF_PAGE_SIZE", 50),
        # Anonymous public pages and API answers replayed from memory for this long (page_cache.py); 0: off.
        "PUBLIC_PAGE_CACHE_SECONDS": _int("MARKETPLACE_PUBLIC_PAGE_CACHE_SECONDS", 2),
        "PUBLIC_PAGE_CACHE_ENTRIES": _int("MARKETPLACE_PUBLIC_PAGE_CACHE_ENTRIES", 2000),
        # 统计报表 of prefectures and counties: the worker recomputes them this often (reports/snapshots.py);
        # the page uses one up to twice this old, else counts live. 0: always live.
        "REPORT_REFRESH_MINUTES": _int("MARKETPLACE_REPORT_REFRESH_MINUTES", 10),
        # 阳光公示: how often the worker recomputes the public figures (0: never, e.g. in tests).
        "PUBLIC_FIGURES_MINUTES": _int("MARKETPLACE_PUBLIC_FIGURES_MINUTES", 30),
        # Retention in days (privacy/retention.py; `marketplace purge`, the worker daily). PIPL art. 19 keeps
        # personal information no longer than its purpose needs. Identities of households that left the
        # registry, from leaving: 3 years, because households come back (渐退期, re-application) and aid paid
        # while enrolled is audited over the following years; the chain itself is kept. Contact and address
        # disclosures, from the view: 3 years, the minimum PIPL art. 56 sets for records of processing, and
        # what a household's copy (art. 45) shows. Evidence text of reviewed fulfilments, from the review:
        # 3 years, for complaints and audits of the help; the chain entry stays the record. Other access-log
        # rows: 1 year, over the 6 months the Cybersecurity Law (art. 21) asks of logs and one audit round.
        "RETENTION_IDENTITY_DAYS": _int("MARKETPLACE_RETENTION_IDENTITY_DAYS", 3 * 365),
        "RETENTION_CONTACT_LOG_DAYS": _int("MARKETPLACE_RETENTION_CONTACT_LOG_DAYS", 3 * 365),
        "RETENTION_EVIDENCE_DAYS": _int("MARKETPLACE_RETENTION_EVIDENCE_DAYS", 3 * 365),
        "RETENTION_ACCESS_LOG_DAYS": _int("MARKETPLACE_RETENTION_ACCESS_LOG_DAYS", 365),
        # Links in mail must be absolute: the worker sends outside any request, so it cannot guess the host.
        "BASE_URL": (env.get("MARKETPLACE_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Derived data, rebuildable with `marketplace search rebuild`; each app node keeps its own.
        "SEARCH_INDEX_DIR": env.get("MARKETPLACE_SEARCH_INDEX_DIR") or str(inst / "search-index"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure + the __Host- prefix are automatic unless the request is plain HTTP to a loopback host
        # (security/cookies.py); MARKETPLACE_SECURE_COOKIES=1 forces them there too.
        "SESSION_COOKIE_SECURE": env.get("MARKETPLACE_SECURE_COOKIES", "") == "1",
        # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto are trusted
        # (werkzeug's ProxyFix, applied in create_app). 0: the headers are ignored, since a client could
        # otherwise pick its own address and dodge the per-address limits.
        "PROXY_FIX": _int("MARKETPLACE_PROXY_FIX", 0),
        # Server-side sessions (security/sessions.py): idle timeout and absolute lifetime, staff and others.
        "SESSION_IDLE_STAFF_MINUTES": _int("MARKETPLACE_SESSION_IDLE_STAFF_MINUTES", 30),
        "SESSION_IDLE_OTHER_MINUTES": _int("MARKETPLACE_SESSION_IDLE_OTHER_MINUTES", 7 * 24 * 60),
        "SESSION_ABSOLUTE_STAFF_HOURS": _int("MARKETPLACE_SESSION_ABSOLUTE_STAFF_HOURS", 12),
        "SESSION_ABSOLUTE_OTHER_HOURS": _int("MARKETPLACE_SESSION_ABSOLUTE_OTHER_HOURS", 30 * 24),
        # Credential throttling (security/throttle.py). Per account: a growing delay after DELAY_AFTER
        # consecutive failures (2^(n-DELAY_AFTER) s, at most MAX_DELAY), a LOCK_MINUTES lock after LOCK_AFTER.
        "LOGIN_DELAY_AFTER": _int("MARKETPLACE_LOGIN_DELAY_AFTER", 5),
        "LOGIN_MAX_DELAY_SECONDS": _int("MARKETPLACE_LOGIN_MAX_DELAY_SECONDS", 60),
        "LOGIN_LOCK_AFTER": _int("MARKETPLACE_LOGIN_LOCK_AFTER", 10),
        "LOGIN_LOCK_MINUTES": _int("MARKETPLACE_LOGIN_LOCK_MINUTES", 15),
        # Per client address (many accounts from one place, or one office behind NAT): a higher threshold.
        "LOGIN_ADDRESS_LOCK_AFTER": _int("MARKETPLACE_LOGIN_ADDRESS_LOCK_AFTER", 50),
        # Fixed-window limits: password-reset requests per account and per address (an hour), registrations
        # per address (an hour), failed invitation links per address (15 min), API requests per address (a minute).
        "LOGIN_RESET_PER_ACCOUNT": _int("MARKETPLACE_LOGIN_RESET_PER_ACCOUNT", 5),
        "LOGIN_RESET_PER_ADDRESS": _int("MARKETPLACE_LOGIN_RESET_PER_ADDRESS", 30),
        "LOGIN_REGISTER_PER_ADDRESS": _int("MARKETPLACE_LOGIN_REGISTER_PER_ADDRESS", 20),
        "LOGIN_INVITATION_FAILURES_PER_ADDRESS": _int("MARKETPLACE_LOGIN_INVITATION_FAILURES_PER_ADDRESS", 20),
        "LOGIN_API_PER_MINUTE": _int("MARKETPLACE_LOGIN_API_PER_MINUTE", 600),
        # Staff second factor (auth/two_factor.py): "required" sends staff without TOTP to enrolment at
        # login; "optional" (the demo and the tests) lets them in. Anything but "optional" fails closed.
        "STAFF_2FA": "optional" if env.get("MARKETPLACE_STAFF_2FA", "").strip().lower() == "optional"
        else "required",
        "WTF_CSRF_TIME_LIMIT": None,
        # Evidence files (marketplace/evidence): photos and PDF receipts, at most EVIDENCE_MAX_FILES per
        # evidence (the WeChat habit of nine), each at most EVIDENCE_MAX_MB. Stored in a local directory
        # (default: instance/evidence) or, for several app nodes, S3-compatible object storage:
        # s3://bucket/prefix?endpoint_url=http://host:9000&region=us-east-1 (credentials from the usual AWS
        # variables or instance profile, never in the URL).
        "STORAGE_URL": env.get("MARKETPLACE_STORAGE_URL", "").strip(),
        "EVIDENCE_MAX_FILES": _int("MARKETPLACE_EVIDENCE_MAX_FILES", 9),
        "EVIDENCE_MAX_MB": _int("MARKETPLACE_EVIDENCE_MAX_MB", 10),
        "EVIDENCE_MAX_SIDE": _int("MARKETPLACE_EVIDENCE_MAX_SIDE", 2560),
        "EVIDENCE_THUMB_SIDE": _int("MARKETPLACE_EVIDENCE_THUMB_SIDE", 320),
        "EVIDENCE_PDF_MAX_PAGES": _int("MARKETPLACE_EVIDENCE_PDF_MAX_PAGES", 30),
        # A county registry export is a few MB; 64 MB leaves room for a city's XLSX. A form posting a full
        # set of evidence files without JavaScript needs their sum and a little more.
        "MAX_CONTENT_LENGTH": max(_int("MARKETPLACE_MAX_UPLOAD_MB", 64),
                                  _int("MARKETPLACE_EVIDENCE_MAX_FILES", 9) * _int("MARKETPLACE_EVIDENCE_MAX_MB", 10) + 4)
        * 1024 * 1024,
        # Ranking of 为我推荐 (recommend/weights.py): defaults, overridden by a JSON object.
        "RECOMMEND_WEIGHTS": recommend_weights.from_env(env.get("MARKETPLACE_RECOMMEND_WEIGHTS")),
        # `marketplace demo` sets these: the 演示邮箱 page (demo/views.py) exists only in demo mode and lists
        # the Maildir the demo's local SMTP sink writes.
        "DEMO_MODE": env.get("MARKETPLACE_DEMO", "") == "1",
        "DEMO_MAILBOX": env.get("MARKETPLACE_DEMO_MAILBOX", "").strip() or str(inst / "demo-mailbox"),
        # Mail goes out through Flask-Mail from the worker only (marketplace/notify/delivery.py).
        "MAIL_SERVER": env.get("MARKETPLACE_MAIL_SERVER") or "127.0.0.1",
        "MAIL_PORT": _int("MARKETPLACE_MAIL_PORT", 25),
        "MAIL_USE_TLS": env.get("MARKETPLACE_MAIL_USE_TLS", "") == "1",
        "MAIL_USE_SSL": env.get("MARKETPLACE_MAIL_USE_SSL", "") == "1",
        "MAIL_USERNAME": env.get("MARKETPLACE_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MARKETPLACE_MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MARKETPLACE_MAIL_SENDER") or "善桥 Shanqiao <noreply@shanqiao.local>",
        # Explicit, not Flask-Mail's default (app.testing at init_app): the delivery tests send for real.
        "MAIL_SUPPRESS_SEND": env.get("MARKETPLACE_MAIL_SUPPRESS", "") == "1",
        # smtplib waits forever on a hung server without a socket timeout.
        "MAIL_TIMEOUT": _int("MARKETPLACE_MAIL_TIMEOUT", 10),
        "MAIL_BATCH": _int("MARKETPLACE_MAIL_BATCH", 100),
        "MAIL_MAX_ATTEMPTS": _int("MARKETPLACE_MAIL_MAX_ATTEMPTS", 8),
        # How long a worker holds the rows it took; a worker that dies releases them when this runs out.
        "MAIL_LEASE_SECONDS": _int("MARKETPLACE_MAIL_LEASE_SECONDS", 300),
        # /readyz (health.py): a node whose index has left a search event unapplied longer than this is
        # not ready (its worker is down); the worker applies them every second.
        "READY_MAX_SEARCH_LAG_SECONDS": _int("MARKETPLACE_READY_MAX_SEARCH_LAG_SECONDS", 300),
        # /readyz: no worker has finished a round for this long (it beats every 5 s): not ready.
        "READY_MAX_HEARTBEAT_SECONDS": _int("MARKETPLACE_READY_MAX_HEARTBEAT_SECONDS", 60),
        # /metrics answers only these addresses (IPs or CIDR networks, comma-separated; empty: nobody).
        "METRICS_ALLOW": env.get("MARKETPLACE_METRICS_ALLOW", "127.0.0.1,::1"),
    }
