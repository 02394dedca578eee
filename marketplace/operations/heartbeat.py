"""The worker's heartbeat: each `marketplace worker` process keeps one row of worker_heartbeat current, so
/readyz and /metrics can tell a running worker from a dead one (a stuck loop stops beating too).

- The row is written after a round's work, in its own short transaction, at most every BEAT_EVERY
  seconds: a round runs every second, and a write a second per worker would be pointless churn (on SQLite
  it takes the write lock). A worker run with `--once` beats once.
- The name tells two workers apart, even on one host: host, pid and the search index directory the
  worker keeps current (one per app node), unless the operator names it (`marketplace worker --name`).
- A row not beaten for a day belonged to a worker that is gone (a restart gets a new pid): housekeeping
  prunes it, so the metrics do not list the dead for ever."""

import logging
import os
import socket
import time
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from ..db import transaction
from ..modelbase import utcnow
from .models import WorkerHeartbeat
from .readings import aware

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds; far below the readiness limit (MARKETPLACE_READY_MAX_HEARTBEAT_SECONDS, 60)
KEEP = timedelta(days=1)
NAME_LENGTH = 200


def default_name(index_dir: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index_dir}"[:NAME_LENGTH]


class Heartbeat:
    """One worker process's heartbeat; `beat()` once per round."""

    def __init__(self, engine: Engine, name: str):
        self.engine, self.name = engine, name[:NAME_LENGTH]
        self.host, self.pid = socket.gethostname()[:120], os.getpid()
        self.started_at = utcnow()
        self.rounds = 0
        self._last: float | None = None

    def beat(self) -> bool:
        """Count a finished round; write the row if the last write is BEAT_EVERY old. A database error is
        logged, not raised: the missing beat is the signal (readiness fails), the worker keeps going."""
        self.rounds += 1
        now = time.monotonic()
        if self._last is not None and now - self._last < BEAT_EVERY:
            return False
        try:
            try:
                self._write()
            except IntegrityError:  # another process of the same --name inserted first: update it
                self._write()
        except SQLAlchemyError as error:
            log.warning("worker heartbeat not written (%s)", type(error).__name__)
            return False
        self._last = now
        return True

    def _write(self) -> None:
        values = {"host": self.host, "pid": self.pid, "started_at": self.started_at, "beat_at": utcnow(),
                  "rounds": self.rounds}
        with transaction(self.engine) as session:
            updated = session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.name == self.name)
                                      .values(**values)).rowcount
            if not updated:
                session.add(WorkerHeartbeat(name=self.name, **values))


def prune(session: Session, keep: timedelta = KEEP) -> int:
    """Housekeeping: forget workers not heard from for a day."""
    result = session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < utcnow() - keep))
    return result.rowcount


def freshest_age(session: Session) -> float | None:
    """Seconds since any worker last beat; None when no worker ever did (or all were pruned)."""
    latest = aware(session.scalar(select(func.max(WorkerHeartbeat.beat_at))))
    return None if latest is None else max(0.0, (utcnow() - latest).total_seconds())


def ages(session: Session) -> dict[str, float]:
    """Seconds since each known worker last beat, by name."""
    now = utcnow()
    rows = session.execute(select(WorkerHeartbeat.name, WorkerHeartbeat.beat_at)).all()
    return {name: max(0.0, (now - aware(beat_at)).total_seconds()) for name, beat_at in rows}
