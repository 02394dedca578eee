from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Organization(SQLModel, table=True):
    """A charity, social organisation or company, identified by its 统一社会信用代码."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    uscc: str = Field(max_length=18, unique=True)
    kind: str = Field(default="charity", max_length=16)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    status: str = Field(default="pending", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
