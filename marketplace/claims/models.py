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


class ClaimTransfer(SQLModel, table=True):
    """A request to hand a live claim to another organisation. It takes effect only when a member of the
    receiving organisation accepts it, and lapses when nobody has within 72 hours."""

    __tablename__ = "claim_transfer"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    from_organization_id: int | None = Field(default=None, foreign_key="organization.id")
    to_organization_id: int = Field(foreign_key="organization.id", index=True)
    requested_by_id: int = Field(foreign_key="app_user.id")
    reason: str = Field(max_length=500)
    # requested, accepted, declined, cancelled, lapsed
    status: str = Field(default="requested", max_length=12, index=True)
    requested_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
