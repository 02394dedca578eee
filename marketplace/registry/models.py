from datetime import date, datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Household(SQLModel, table=True):
    """A registry household. Direct identifiers are held only as ciphertext (the *_enc columns);
    id_hmac, a keyed HMAC of the normalised ID number, is the lookup key for matching."""

    id: int | None = Field(default=None, primary_key=True)
    public_code: str = Field(max_length=16, unique=True)
    household_no: str | None = Field(default=None, max_length=32, unique=True)
    tier: str = Field(max_length=16, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    members: int = Field(default=1)
    hardships: list[str] = Field(default_factory=list, sa_type=JSON)
    head_birth_year: int | None = None
    head_name_enc: bytes | None = None
    id_number_enc: bytes | None = None
    id_hmac: str | None = Field(default=None, max_length=64, unique=True)
    phone_enc: bytes | None = None
    address_enc: bytes | None = None
    enrolled_on: date | None = None
    status: str = Field(default="active", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AccessLog(SQLModel, table=True):
    """One row per view of private household data: who looked at which household, when, and where."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    action: str = Field(max_length=32)
    path: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)
