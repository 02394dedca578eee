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
# Requests check a snapshot out of a small pool and put it back: a thread-per-request server would
# otherwise open the index and rebuild the column lists for every request.

POOL_SIZE = 8
_pool: dict[str, list["Snapshot"]] = {}
_segment_columns: dict[tuple[str, str], list[int]] = {}
_merged_columns: dict[tuple[str, ...], dict[str, list[int]]] = {}
_lock = threading.Lock()


class Snapshot:
    """A searcher and the facet/sort columns of its generation, as docnum-indexed lists. Used by one
    thread at a time (Whoosh searchers share file handles)."""

    def __init__(self, ix, inode: int):
        self.ix = ix
        # A rebuild swaps in a new directory whose generation numbers start again: the inode tells them apart.
        self.inode = inode
        self.searcher = ix.searcher()
        self.generation = self.searcher.reader().generation()
        self.columns = _columns(self.searcher.reader())

    def current(self, inode: int) -> bool:
        return self.inode == inode and self.ix.latest_generation() == self.generation

    def close(self) -> None:
        self.searcher.close()


def _segment_values(leaf, segment_id: str, name: str) -> list[int]:
    key = (segment_id, name)
    with _lock:
        values = _segment_columns.get(key)
    if values is None:
        values = list(leaf.column_reader(name)) if leaf.has_column(name) else [0] * leaf.doc_count_all()
        with _lock:
            _segment_columns[key] = values
    return values


def _columns(reader) -> dict[str, list[int]]:
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    ids = tuple(leaf.segment().segment_id() for leaf, _ in leaves)
    with _lock:
        merged = _merged_columns.get(ids)
    if merged is not None:
        return merged
    merged = {}
    for name in COLUMNS:
        parts = [_segment_values(leaf, segment_id, name) for (leaf, _), segment_id in zip(leaves, ids, strict=True)]
        merged[name] = parts[0] if len(parts) == 1 else [v for part in parts for v in part]
    with _lock:
        _merged_columns[ids] = merged
        # Older generations are dropped once a few newer ones exist; pooled snapshots keep their own.
        while len(_merged_columns) > 4:
            _merged_columns.pop(next(iter(_merged_columns)))
        live = {i for key in _merged_columns for i in key}
        for key in [k for k in _segment_columns if k[0] not in live]:
            del _segment_columns[key]
    return merged


def _inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return -1


def snapshot(path: Path) -> Snapshot:
    """An up-to-date snapshot of the index at `path`, from the pool or freshly opened; give it back with
    `release`. SearchUnavailable when the index cannot be read."""
    key, inode = str(path), _inode(path)
    stale = []
    with _lock:
        pooled = _pool.get(key, [])
        found = None
        while pooled:
            candidate = pooled.pop()
            if candidate.current(inode):
                found = candidate
                break
            stale.append(candidate)
    for old in stale:
        old.close()
    if found is not None:
        return found
    with _damage_tolerated():
        return _open_snapshot(path, inode)


def _open_snapshot(path: Path, inode: int) -> Snapshot:
    ix = open_index(path)
    try:
        return Snapshot(ix, inode)
    except Exception as error:  # a segment damaged after the TOC was read
        problem = repr(error)
    # Raised outside the except block, so the damaged file's handle is released with the original error.
    raise SearchUnavailable(f"search index at {path} cannot be read: {problem}")


def release(path: Path, snap: Snapshot) -> None:
    with _lock:
        pooled = _pool.setdefault(str(path), [])
        if len(pooled) < POOL_SIZE and snap.inode == _inode(path):
            pooled.append(snap)
            return
    snap.close()


@contextmanager
def searching(path: Path):
    snap = snapshot(path)
    try:
        yield snap
    finally:
        release(path, snap)


def forget(path: Path) -> None:
    """Close the pooled searchers of `path` (after its directory was swapped or damaged)."""
    with _lock:
        pooled = _pool.pop(str(path), [])
    for snap in pooled:
        snap.close()
