from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class FamilyReferral(SQLModel, table=True):
    """A family referred to civil affairs by a charity member or a volunteer, with the person's consent.
    The name and phone are ciphertext only (privacy.vault, as registry identities); the description passed
    the identifier scan. Staff of the township and county decide by `due_on` (10 working days by default)
    and record the outcome (vocabulary.REFERRAL_OUTCOMES); the referrer sees the outcome, never personal data."""

    __tablename__ = "family_referral"

    id: int | None = Field(default=None, primary_key=True)
    referrer_id: int = Field(foreign_key="app_user.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)  # a township
    hardships: str = Field(default="", max_length=200)  # space-separated vocabulary.HARDSHIPS names
    description: str = Field(max_length=2000)
    consent: bool = Field(default=False)
    consent_note: str = Field(default="", max_length=200)  # how consent was given (口头/书面, by whom)
    name_enc: bytes | None = None
    phone_enc: bytes | None = None
    due_on: date = Field(index=True)
    status: str = Field(default="open", max_length=12, index=True)  # open | decided | withdrawn
    outcome: str | None = Field(default=None, max_length=16)
    outcome_reason: str | None = Field(default=None, max_length=500)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
