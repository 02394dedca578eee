"""Keeping this node's index current: rebuilding it from the database, and applying the search events
other transactions left in the outbox since this node last looked.

On PostgreSQL an event with a smaller id can commit after one with a larger id (ids are taken at insert,
rows become visible at commit), so besides the events past the cursor the recent minute is re-read and
any event not yet applied is applied. Applying an event twice is harmless: it re-reads the need."""

import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from ..db import reading_session
from ..modelbase import utcnow
from ..needs.models import Need
from ..outbox.models import OutboxMessage
from ..outbox.service import SEARCH
from . import index
from .documents import INDEXED_STATUSES, count_indexed, documents, indexed_need_ids

log = logging.getLogger(__name__)

OVERLAP = timedelta(seconds=60)
PARALLEL_FROM = 20_000
BATCH = 2000


class SearchSync:
    """One node's follower of the search event stream; keeps the ids it applied in the overlap window."""

    def __init__(self, engine: Engine, path: Path):
        self.engine, self.path = engine, Path(path)
        self.recent: set[int] = set()

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int | None = None) -> int:
        """`procs` None: one process for a county's worth of needs, all cores (up to 4) above that
        (measured: 200,000 needs in 166 s on one core, 92 s on two)."""
        with reading_session(self.engine) as session:
            if procs is None:
                procs = 1 if count_indexed(session) < PARALLEL_FROM else min(os.cpu_count() or 1, 4)
            cursor = session.scalar(select(func.max(OutboxMessage.id))) or 0
            batches = (list(documents(session, ids)) for ids in indexed_need_ids(session, BATCH))
            count = index.rebuild(self.path, batches, cursor, progress, procs)
        self.recent.clear()
        return count

    def total(self) -> int:
        with reading_session(self.engine) as session:
            return count_indexed(session)

    def catch_up(self) -> int:
        """Apply pending events; a missing or unreadable index is rebuilt (it is derived data).
        Returns the number of needs re-read."""
        try:
            ix = index.open_index(self.path)
        except index.SearchUnavailable as error:
            log.warning("rebuilding the search index: %s", error)
            self.rebuild()
            return 0
        cursor = index.read_cursor(self.path)
        since = utcnow() - OVERLAP
        with reading_session(self.engine) as session:
            # Two index ranges, not one OR: the events after the cursor (primary key) and the last minute's
            # (ix_outbox_created), which may hold ids below the cursor committed late. The topic is compared
            # as an expression so that no plan walks every search event through ix_outbox_due.
            columns = (OutboxMessage.id, OutboxMessage.kind, OutboxMessage.payload)
            searched = OutboxMessage.topic.concat("") == SEARCH
            newer = session.execute(select(*columns).where(OutboxMessage.id > cursor, searched)).all()
            late = session.execute(select(*columns).where(OutboxMessage.created_at >= since,
                                                          OutboxMessage.id <= cursor, searched)).all()
            events = sorted({e.id: e for e in [*late, *newer]}.values(), key=lambda e: e.id)
            events = [e for e in events if e.id > cursor or e.id not in self.recent]
            if not events:
                return 0
            need_ids = self._need_ids(session, events)
            w = index.writer(ix)
            try:
                for start in range(0, len(need_ids), BATCH):
                    index.write_documents(w, documents(session, need_ids[start:start + BATCH]))
                w.commit()
            except BaseException:
                w.cancel()
                raise
        index.write_cursor(self.path, max(cursor, events[-1].id))
        # Ids older than the window cannot come back; keep the set small.
        self.recent = {e.id for e in events if e.id > cursor - 100_000} | {
            i for i in self.recent if i > cursor - 100_000}
        return len(need_ids)

    @staticmethod
    def _need_ids(session, events) -> list[int]:
        ids = {e.payload["need_id"] for e in events if e.kind == "need"}
        for prefix in {e.payload["prefix"] for e in events if e.kind == "region"}:
            ids.update(session.scalars(select(Need.id).where(
                and_(Need.region_code.startswith(prefix), Need.status.in_(INDEXED_STATUSES)))))
        return sorted(ids)
