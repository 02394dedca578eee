"""A row per running worker, beaten every round: readiness and the metrics read its age."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class WorkerHeartbeat(SQLModel, table=True):
    """`name` identifies one worker process (host, index directory, pid); `beat_at` is when it last
    finished a round. Rows of workers gone for a day are pruned by the worker's housekeeping."""

    __tablename__ = "worker_heartbeat"

    name: str = Field(primary_key=True, max_length=200)
    host: str = Field(max_length=120)
    pid: int
    started_at: datetime = Field(default_factory=utcnow)
    beat_at: datetime = Field(default_factory=utcnow, index=True)
    rounds: int = Field(default=0)
