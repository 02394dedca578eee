"""Where templates, static files and migrations live, installed editable or not.

In a source checkout (and an editable install) they sit at the top level beside the package.
A built wheel carries copies under marketplace/_resources (see setup.py)."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout holding the package, or the working directory for an installed wheel."""
    candidate = _PACKAGE.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


def resource_dir(name: str) -> Path:
    for base in (_PACKAGE.parent, _PACKAGE / "_resources"):
        path = base / name
        if path.is_dir():
            return path
    raise FileNotFoundError(f"{name}/ not found beside the package or in marketplace/_resources")
