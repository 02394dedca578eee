"""Report sections the worker precomputes where a live query at city scope would be too slow."""

from datetime import datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class ReportSnapshot(SQLModel, table=True):
    """One report section (blind_spots, unclaimed, lapsed, cliff, who_what_where) for one region scope and
    one set of filters (`params_key`, the filters' canonical query string), as the worker last computed
    it: `payload` is what the page and downloads render, `computed_at` is shown beside it."""

    __tablename__ = "report_snapshot"
    __table_args__ = (UniqueConstraint("section", "scope_code", "params_key"),)

    id: int | None = Field(default=None, primary_key=True)
    section: str = Field(max_length=40)
    scope_code: str = Field(max_length=12, index=True)
    params_key: str = Field(max_length=200)
    computed_at: datetime = Field(default_factory=utcnow)
    seconds: float = Field(default=0.0)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
