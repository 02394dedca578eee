from datetime import date, datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Household(SQLModel, table=True):
    """A registry household. Direct identifiers are held only as ciphertext (the *_enc columns);
    id_hmac, a keyed HMAC of the normalised ID number, is the lookup key for matching; name_hmac, a keyed
    HMAC of the normalised head's name, finds households by name (names are not unique: not a unique key)."""

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
    name_hmac: str | None = Field(default=None, max_length=64, index=True)
    phone_enc: bytes | None = None
    address_enc: bytes | None = None
    enrolled_on: date | None = None
    # Keyed fingerprint of the last imported source row: an unchanged row is recognised without decrypting.
    row_digest: str | None = Field(default=None, max_length=64)
    status: str = Field(default="active", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # When the household left the registry (status no longer active); retention counts from here.
    left_at: datetime | None = None
    # When the retention purge replaced its identity columns (privacy/retention.py); chains stay intact.
    identity_purged_at: datetime | None = None


class AccessLog(SQLModel, table=True):
    """One row per view of private household data: who looked at which household, when, and where."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    action: str = Field(max_length=32)
    purpose: str | None = Field(default=None, max_length=200)
    path: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)


class HouseholdHistory(SQLModel, table=True):
    """A change to a household's registry facts (tier, flags, size, region…): what changed, from where."""

    __tablename__ = "household_history"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    source: str = Field(max_length=120)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    changes: dict = Field(default_factory=dict, sa_type=JSON)
    at: datetime = Field(default_factory=utcnow)


class ImportJob(SQLModel, table=True):
    """One registry or aid import started from the web page; the page polls it for progress."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    filename: str = Field(max_length=255)
    status: str = Field(default="queued", max_length=12)
    processed: int = Field(default=0)
    total: int | None = None
    imported: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    rejected: int = Field(default=0)
    message: str | None = Field(default=None, max_length=2000)
    errors_path: str | None = Field(default=None, max_length=500)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class KeyRotation(SQLModel, table=True):
    """A run of `marketplace keys rotate`: every encrypted column and keyed lookup re-made under a new data
    key, table by table in id order. `progress` holds the last id done per table, so a killed run resumes
    where it stopped."""

    __tablename__ = "key_rotation"

    id: int | None = Field(default=None, primary_key=True)
    old_key_id: str = Field(max_length=16)
    new_key_id: str = Field(max_length=16)
    progress: dict = Field(default_factory=dict, sa_type=JSON)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RegionTierCount(SQLModel, table=True):
    """Active registry households per township and tier: the k-anonymity figure public pages read
    (needs.listing). Kept by registry/tier_counts.py in the transaction of every registry change, never
    recounted per request. A zero row means the same as no row."""

    __tablename__ = "region_tier_count"

    township: str = Field(primary_key=True, max_length=9)
    tier: str = Field(primary_key=True, max_length=16)
    households: int = Field(default=0)


# The hook that keeps region_tier_count in step with every ORM change to a household, registered wherever
# Household is (last: the module reads the classes above).
from . import leaving, tier_counts  # noqa: E402, F401  (leaving.py stamps left_at the same way)
