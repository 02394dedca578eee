from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class RoutingRule(SQLModel, table=True):
    """Which department (an organisation of kind 政府部门) sees a new need of a category in a place first,
    and for how many working days (e.g. 助学 → the county education bureau for 5 working days)."""

    __tablename__ = "routing_rule"

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=16, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)  # a county or a city
    organization_id: int = Field(foreign_key="organization.id", index=True)
    working_days: int = Field(default=5)
    active: bool = Field(default=True)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NeedRouting(SQLModel, table=True):
    """A need pushed to a department: it answers 已办理 (its aid goes on the chain as government aid) or
    不属于本部门/无对应政策 with a reason, or lets `until` pass; then the need goes public to social forces."""

    __tablename__ = "need_routing"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    rule_id: int | None = Field(default=None, foreign_key="routing_rule.id")
    organization_id: int = Field(foreign_key="organization.id", index=True)
    until: datetime
    status: str = Field(default="pending", max_length=12, index=True)  # pending | handled | declined | lapsed
    answer: str | None = Field(default=None, max_length=16)  # handled | not_ours | no_policy
    reason: str | None = Field(default=None, max_length=500)
    item: str | None = Field(default=None, max_length=80)
    amount_fen: int | None = None
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    answered_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
