from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Pledge(SQLModel, table=True):
    """One organisation's share of a money or goods need: an amount (fen) or a quantity, carried from
    the pledge through its own evidence and review to its own chain entry. The live sum is kept on the
    need (Need.pledged_fen / pledged_quantity) so the cap is one conditional UPDATE, not a SUM."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    pledger_id: int = Field(foreign_key="app_user.id")
    amount_fen: int | None = None
    quantity: int | None = None
    status: str = Field(default="pledged", max_length=12, index=True)
    pledged_at: datetime = Field(default_factory=utcnow)
    delivered_on: date | None = None
    summary: str | None = Field(default=None, max_length=2000)
    submitted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = None
    # Why the pledge ended without verification (withdrawn by the organisation, evidence rejected).
    end_reason: str | None = Field(default=None, max_length=500)
    ended_at: datetime | None = None
    # How the household confirmed receipt, set on verification: code | slip | visit | none.
    confirmation: str | None = Field(default=None, max_length=8)
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
