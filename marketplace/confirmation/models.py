from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class DeliverySlip(SQLModel, table=True):
    """送达回执 of one claim or pledge. Staff of the need's region print the household's copy, which carries
    the 6-digit code; the household (or the village cadre) gives the code to the fulfiler on delivery, who
    enters it with the evidence. The fulfiler's copy has no code, only lines to sign. `ref` is the random
    token in the slip's QR code: it opens a public page that shows nothing about the household."""

    __tablename__ = "delivery_slip"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", unique=True)
    pledge_id: int | None = Field(default=None, foreign_key="pledge.id", unique=True)
    ref: str = Field(max_length=16, unique=True)
    code: str = Field(max_length=6)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    printed_at: datetime | None = None  # staff printed the household's copy (the code left the platform)
    # Wrong codes entered; at the limit the slip locks and staff issue a new code.
    failed_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    confirmed_at: datetime | None = None
    confirmed_via: str | None = Field(default=None, max_length=8)  # code | slip | visit
    confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class FollowUp(SQLModel, table=True):
    """回访: staff asked the household (in person or by phone) whether the aid arrived and how it was."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    pledge_id: int | None = Field(default=None, foreign_key="pledge.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    visited_on: date
    method: str = Field(default="visit", max_length=8)  # visit | phone
    received: bool
    satisfaction: int | None = None  # 1..5
    remarks: str | None = Field(default=None, max_length=500)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class ConfirmationRule(SQLModel, table=True):
    """Whether evidence of a need form must carry the household's confirmation before it can be verified.
    A form without a row takes the default (confirmation.rules.DEFAULTS)."""

    __tablename__ = "confirmation_rule"

    form: str = Field(primary_key=True, max_length=12)
    required: bool
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
