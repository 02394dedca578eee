"""The Whoosh index on disk: opening it, writing need documents, rebuilding it beside the live one and
swapping it in, and the per-thread searchers with their facet columns.

Whoosh searchers share file handles and are not safe across threads, so each thread keeps its own and
refreshes it when the worker has committed a new generation. Facet columns are read once per segment
(segments are immutable) and shared."""

import gc
import logging
import os
import shutil
import threading
import warnings
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from .schema import need_schema

log = logging.getLogger(__name__)

INDEX_NAME = "needs"
CURSOR_FILE = "outbox_cursor"
COLUMNS = ("f_status", "f_category", "f_form", "f_tier", "f_urgency", "f_county", "f_township",
           "deadline", "published")


class SearchUnavailable(Exception):
    """The index is missing or cannot be read; callers fall back to the database."""


@contextmanager
def _damage_tolerated():
    """Whoosh leaves a damaged file open when it refuses to read it; the handle is released when the
    exception is, and its ResourceWarning would otherwise surface at some later, unrelated moment."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        except SearchUnavailable:
            gc.collect()  # Whoosh's objects may hold the handle in a reference cycle
            raise


def exists(path: Path) -> bool:
    """Whether an index was written at `path` (readable or not: open_index tells which)."""
    return Path(path).is_dir() and any(Path(path).glob(f"_{INDEX_NAME}_*.toc"))


def open_index(path: Path):
    if not exists(path):
        raise SearchUnavailable(f"no search index at {path}")
    problem = ""
    with _damage_tolerated():
        try:
            return whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        except Exception as error:  # Whoosh raises many kinds for a damaged directory
            problem = repr(error)
        raise SearchUnavailable(f"search index at {path} cannot be opened: {problem}")


def writer(ix) -> IndexWriter:
    # The worker is the only steady writer, but a rebuild or a second worker may briefly hold the lock:
    # wait for it rather than failing (timeout=0, Whoosh's default, lost 3 of 4 commits in measurement).
    return ix.writer(timeout=30, delay=0.01)


def write_documents(w: IndexWriter, docs: Iterable[tuple[int, dict | None]]) -> int:
    count = 0
    for need_id, doc in docs:
        if doc is None:
            w.delete_by_term("id", str(need_id))
        else:
            w.update_document(**doc)
        count += 1
    return count


def read_cursor(path: Path) -> int:
    try:
        return int((path / CURSOR_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def write_cursor(path: Path, outbox_id: int) -> None:
    temp = path / (CURSOR_FILE + ".tmp")
    temp.write_text(str(outbox_id))
    os.replace(temp, path / CURSOR_FILE)


def rebuild(path: Path, batches: Iterable[list[tuple[int, dict | None]]], cursor: int,
            progress: Callable[[int], None] | None = None, procs: int = 1) -> int:
    """Write a fresh index beside the live one, then swap it in: searches keep using the old index
    (or the database) until the new one is complete, and a crash leaves the old one untouched."""
    path = Path(path)
    fresh = path.with_name(path.name + f".new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    ix = whoosh_index.create_in(str(fresh), need_schema(), indexname=INDEX_NAME)
    options = {"limitmb": 256}
    if procs > 1:
        options.update(procs=procs, multisegment=True)
    w = ix.writer(**options)
    total = 0
    try:
        for batch in batches:
            for _, doc in batch:
                if doc is not None:
                    w.add_document(**doc)
                    total += 1
            if progress:
                progress(len(batch))
        w.commit(optimize=procs == 1)
    except BaseException:
        w.cancel()
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    write_cursor(fresh, cursor)
    old = path.with_name(path.name + f".old-{os.getpid()}")
    if path.exists():
        os.replace(path, old)
    os.replace(fresh, path)
    shutil.rmtree(old, ignore_errors=True)
    forget(path)
    return total


# --- searchers --------------------------------------------------------------------------------------

_local = threading.local()
_segment_columns: dict[tuple[str, str], list[int]] = {}
_segment_lock = threading.Lock()


class Snapshot:
    """One thread's searcher and the facet/sort columns of its generation, as docnum-indexed lists."""

    def __init__(self, ix, inode: int):
        self.ix = ix
        # A rebuild swaps in a new directory whose generation numbers start again: the inode tells them apart.
        self.inode = inode
        self.searcher = ix.searcher()
        self.columns = _columns(self.searcher.reader())

    def close(self) -> None:
        self.searcher.close()


def _columns(reader) -> dict[str, list[int]]:
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    merged: dict[str, list[int]] = {name: [] for name in COLUMNS}
    for leaf, _offset in leaves:
        segment_id = leaf.segment().segment_id() if hasattr(leaf, "segment") else str(id(leaf))
        for name in COLUMNS:
            key = (segment_id, name)
            with _segment_lock:
                values = _segment_columns.get(key)
            if values is None:
                values = list(leaf.column_reader(name)) if leaf.has_column(name) else [0] * leaf.doc_count_all()
                with _segment_lock:
                    _segment_columns[key] = values
            merged[name].extend(values)
    _prune({leaf.segment().segment_id() for leaf, _ in leaves if hasattr(leaf, "segment")})
    return merged


def _prune(live: set[str]) -> None:
    """Forget the columns of merged-away segments once they pile up (other threads may still hold a
    recent generation, so only the clearly stale are dropped)."""
    with _segment_lock:
        if len(_segment_columns) > 40 * len(COLUMNS):
            for key in [k for k in _segment_columns if k[0] not in live]:
                del _segment_columns[key]


def snapshot(path: Path) -> Snapshot:
    """This thread's up-to-date snapshot of the index at `path`; SearchUnavailable when it cannot be read."""
    key = str(path)
    cache: dict = getattr(_local, "snapshots", None) or {}
    _local.snapshots = cache
    current = cache.get(key)
    with _damage_tolerated():
        return _snapshot(path, key, cache, current)


def _snapshot(path: Path, key: str, cache: dict, current):
    try:
        inode = os.stat(path).st_ino if path.exists() else -1
        if (current is not None and current.inode == inode
                and current.ix.latest_generation() == current.searcher.reader().generation()):
            return current
        if current is not None:
            current.close()
            cache.pop(key, None)
        fresh = Snapshot(open_index(path), inode)
    except SearchUnavailable:
        raise
    except Exception as error:  # a segment damaged after the TOC was read
        problem = repr(error)
    else:
        cache[key] = fresh
        return fresh
    # Raised outside the except block, so the damaged file's handle is released with the original error.
    raise SearchUnavailable(f"search index at {path} cannot be read: {problem}")
    return fresh


def forget(path: Path) -> None:
    """Drop this thread's searcher of `path` (after a rebuild swapped the directory)."""
    cache = getattr(_local, "snapshots", None) or {}
    current = cache.pop(str(path), None)
    if current is not None:
        current.close()
