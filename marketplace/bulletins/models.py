"""Monthly 衔接情况通报, kept: a past month's report reads as it was generated."""

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class MonthlyBulletin(SQLModel, table=True):
    """One region's (county or prefecture) report for one month (`month`: its first day). `payload` holds
    the figures as generated, with last month's beside them for the changes; staff only."""

    __tablename__ = "monthly_bulletin"
    __table_args__ = (UniqueConstraint("region_code", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    month: date
    generated_at: datetime = Field(default_factory=utcnow)
    seconds: float = Field(default=0.0)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    mailed_at: datetime | None = None
