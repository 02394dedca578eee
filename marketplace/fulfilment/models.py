from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Fulfilment(SQLModel, table=True):
    """Evidence that a claim was carried out, and the staff review of it."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    submitted_by_id: int = Field(foreign_key="app_user.id")
    submitted_at: datetime = Field(default_factory=utcnow)
    delivered_on: date
    summary: str = Field(max_length=2000)
    amount_fen: int | None = None
    quantity: int | None = None
    hours: float | None = None
    # Form-specific facts (fulfilment/evidence_forms.py): only the need's form's figures are stored.
    service_from: date | None = None  # service: first day (delivered_on is the last)
    item: str | None = Field(default=None, max_length=60)  # goods: what was delivered
    acceptance: str | None = Field(default=None, max_length=12)  # retrofit: who accepted the work
    acceptance_note: str | None = Field(default=None, max_length=200)
    # How the household confirmed receipt, set on verification: code | slip | visit | none (未经受助方确认).
    confirmation: str | None = Field(default=None, max_length=8)
    status: str = Field(default="submitted", max_length=12, index=True)
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = None
    review_reason: str | None = Field(default=None, max_length=500)
