"""Configuration from MARKETPLACE_* environment variables, with safe defaults."""

import os
import secrets
from pathlib import Path

from .recommend import weights as recommend_weights
from .resources import project_root


def instance_dir() -> Path:
    path = Path(os.environ.get("MARKETPLACE_INSTANCE_PATH") or project_root() / "instance")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _persistent_secret(path: Path) -> str:
    """A key generated once per installation and kept beside the database, never in the code."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
        "PAGE_SIZE": _int("MARKETPLACE_PAGE_SIZE", 20),
        # Derived data, rebuildable with `marketplace search rebuild`; each app node keeps its own.
        "SEARCH_INDEX_DIR": env.get("MARKETPLACE_SEARCH_INDEX_DIR") or str(inst / "search-index"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("MARKETPLACE_SECURE_COOKIES", "") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # A county registry export is a few MB; 64 MB leaves room for a city's XLSX.
        "MAX_CONTENT_LENGTH": _int("MARKETPLACE_MAX_UPLOAD_MB", 64) * 1024 * 1024,
        # Ranking of 为我推荐 (recommend/weights.py): defaults, overridden by a JSON object.
        "RECOMMEND_WEIGHTS": recommend_weights.from_env(env.get("MARKETPLACE_RECOMMEND_WEIGHTS")),
    }
