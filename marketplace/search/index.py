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
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from . import bitmaps
from .schema import need_schema

log = logging.getLogger(__name__)

INDEX_NAME = "needs"
CURSOR_FILE = "outbox_cursor"
VERSION_FILE = "schema_version"
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


def schema_version() -> str:
    """Changes whenever documents are built or cut differently: an index of another version is rebuilt,
    not written into (new fields) or searched with terms cut another way."""
    from .analyzers import CHOSEN

    return f"3-{CHOSEN}"


def open_index(path: Path):
    if not exists(path):
        raise SearchUnavailable(f"no search index at {path}")
    try:
        version = (Path(path) / VERSION_FILE).read_text().strip()
    except FileNotFoundError:
        version = "none"
    if version != schema_version():
        raise SearchUnavailable(f"search index at {path} is of version {version}, not {schema_version()}")
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
    # Whoosh spills sorted runs to disk (pickled) beyond limitmb: 512 MB keeps a county or city in memory.
    options = {"limitmb": 512}
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
    (fresh / VERSION_FILE).write_text(schema_version())
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
TERM_CACHE = 2000
_pool: dict[str, list["Snapshot"]] = {}
_segments: dict[str, "SegmentData"] = {}
_terms: "OrderedDict[tuple[str, str, str], int]" = OrderedDict()
_lock = threading.Lock()


class SegmentData:
    """What a search needs of one immutable segment: its columns, and for each column value the bitmap
    of its documents (facet counts and sorted pages are then AND and popcount on integers)."""

    def __init__(self, leaf):
        self.size = leaf.doc_count_all()
        self.values: dict[str, array] = {}
        self.bitmaps: dict[str, dict[int, int]] = {}
        for name in COLUMNS:
            values = array("I", leaf.column_reader(name) if leaf.has_column(name) else [0] * self.size)
            buckets: dict[int, list[int]] = {}
            for doc, value in enumerate(values):
                bucket = buckets.get(value)
                if bucket is None:
                    buckets[value] = [doc]
                else:
                    bucket.append(doc)
            self.values[name] = values
            self.bitmaps[name] = {value: bitmaps.from_ids(docs) for value, docs in buckets.items()}


def _segment_data(leaf, segment_id: str) -> SegmentData:
    with _lock:
        data = _segments.get(segment_id)
    if data is None:
        data = SegmentData(leaf)
        with _lock:
            _segments[segment_id] = data
    return data


class Snapshot:
    """A searcher of one generation, with its documents as bitmaps: the live (undeleted) set, each
    column value's set, and term postings on demand. Used by one thread at a time (Whoosh searchers
    share file handles)."""

    def __init__(self, ix, inode: int):
        self.ix = ix
        # A rebuild swaps in a new directory whose generation numbers start again: the inode tells them apart.
        self.inode = inode
        self.searcher = ix.searcher()
        reader = self.searcher.reader()
        self.generation = reader.generation()
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        self.leaves = [(leaf, offset, leaf.segment().segment_id()) for leaf, offset in leaves]
        data = [_segment_data(leaf, segment_id) for leaf, _, segment_id in self.leaves]
        self.size = reader.doc_count_all()
        self.live = 0
        self.values: dict[str, dict[int, int]] = {name: {} for name in COLUMNS}
        for (leaf, offset, _), segment in zip(self.leaves, data, strict=True):
            deleted = bitmaps.from_ids(leaf.deleted_docs_set or ())
            self.live |= (((1 << segment.size) - 1) & ~deleted) << offset
            for name in COLUMNS:
                merged = self.values[name]
                for value, bitmap in segment.bitmaps[name].items():
                    merged[value] = merged.get(value, 0) | (bitmap << offset)
        self.columns = {name: data[0].values[name] if len(data) == 1
                        else array("I", (v for segment in data for v in segment.values[name])) for name in COLUMNS}
        with _lock:
            live_ids = {segment_id for _, _, segment_id in self.leaves}
            # Segments merged away are dropped once no new snapshot needs them (pooled ones keep theirs).
            if len(_segments) > 4 * len(live_ids) + 8:
                for key in [k for k in _segments if k not in live_ids]:
                    del _segments[key]

    def term(self, fieldname: str, text: str) -> int:
        """The documents holding a term, as a bitmap (cached per segment: segments never change)."""
        result = 0
        for leaf, offset, segment_id in self.leaves:
            key = (segment_id, fieldname, text)
            with _lock:
                local = _terms.get(key)
                if local is not None:
                    _terms.move_to_end(key)
            if local is None:
                local = bitmaps.from_ids(bitmaps.posting_ids(leaf, fieldname, text))
                with _lock:
                    _terms[key] = local
                    while len(_terms) > TERM_CACHE:
                        _terms.popitem(last=False)
            result |= local << offset
        return result

    def current(self, inode: int) -> bool:
        return self.inode == inode and self.ix.latest_generation() == self.generation

    def close(self) -> None:
        self.searcher.close()


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
