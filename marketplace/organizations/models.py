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
    # Declared service profile (服务意向): space-separated category codes and county/township codes that
    # recommendations rank by. Plain text keeps both databases and the form round trip identical.
    service_categories: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    service_regions: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    created_at: datetime = Field(default_factory=utcnow)
