from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class DuplicateRule(SQLModel, table=True):
    """The duplicate-aid rule (重复救助规则) of one need category: data, so a staff administrator can
    tune it without a release. `kind` names the comparison (duplicates.rules.KINDS); `window_days` is its
    time window where the kind has one."""

    __tablename__ = "duplicate_rule"

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=16, unique=True)
    kind: str = Field(max_length=20)
    window_days: int | None = None
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    explanation: str = Field(default="", max_length=500)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
