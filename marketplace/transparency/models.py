"""The public figures as the worker last computed them: one row per scope and category filter."""

from datetime import datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class PublicFigures(SQLModel, table=True):
    """Every table of the 阳光公示 page for one scope (`scope_code`: "" for the whole platform, else a
    prefecture or county code) and one category filter ("" for all), already suppressed: `payload` holds
    nothing a visitor may not see, so the page and /api/v1/stats render it as it is."""

    __tablename__ = "public_figures"
    __table_args__ = (UniqueConstraint("scope_code", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    scope_code: str = Field(max_length=12)
    category: str = Field(default="", max_length=16)
    computed_at: datetime = Field(default_factory=utcnow)
    seconds: float = Field(default=0.0)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
