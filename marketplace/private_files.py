"""Files that hold secrets or personal data (the keys, the SQLite database, uploaded registries, import
errors files) are readable by the service's own account only: directories 0700, files 0600, set when
they are created, so there is no moment a file sits world-readable, whatever the process umask."""

import contextlib
import os
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path | str) -> Path:
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a directory the administrator owns and set up themselves
        path.chmod(DIR_MODE)
    return path


def open_private(path: Path | str, mode: str = "w", **kwargs) -> IO:
    """open(path, mode) for writing, created (or truncated) with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # a file that already existed keeps its old mode otherwise
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def private_sqlite_file(database: str | None) -> None:
    """Create the SQLite database file 0600 before SQLite opens it: SQLite gives the -wal and -shm files it
    creates later the database file's own mode. An existing file (and its companions) is tightened."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite reports the missing directory itself
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            companion.chmod(FILE_MODE)
