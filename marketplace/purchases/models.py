from datetime import date, datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class PurchaseProject(SQLModel, table=True):
    """A government purchase of services from a social organisation (政府购买服务): provider, budget, period,
    categories, places, targets. Service needs assigned to it are claimed by the provider (no public claim);
    `spent_fen`, `hours` and `households` are maintained as its needs are verified (derived figures, kept in
    the verifying transaction, so the project page reads one row)."""

    __tablename__ = "purchase_project"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80)
    provider_id: int = Field(foreign_key="organization.id", index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)  # the buying bureau's place
    regions: str = Field(default="", max_length=1000)  # space-separated places served (counties/townships)
    categories: str = Field(max_length=200)
    budget_fen: int = Field(sa_type=BigInteger)
    starts_on: date
    ends_on: date
    target_households: int | None = None
    target_hours: float | None = None
    spent_fen: int = Field(default=0, sa_type=BigInteger)
    hours: float = Field(default=0)
    households: int = Field(default=0)
    status: str = Field(default="active", max_length=12, index=True)  # active | closed
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
