from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Claim(SQLModel, table=True):
    """A fulfiler's hold on a need: it must be started before expires_at (extendable once)."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    claimant_id: int = Field(foreign_key="app_user.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    status: str = Field(default="active", max_length=12, index=True)
    claimed_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    started_at: datetime | None = None
    extended: bool = Field(default=False)
    extension_reason: str | None = Field(default=None, max_length=500)
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=500)
