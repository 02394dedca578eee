from datetime import date, datetime, time

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class VolunteerProfile(SQLModel, table=True):
    """What a volunteer declared on registration. The real name and phone are AES-GCM ciphertext (vault):
    they identify the volunteer to staff in a dispute and are never shown on a page or written to a log."""

    __tablename__ = "volunteer_profile"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    name_enc: bytes | None = None
    phone_enc: bytes | None = None
    # Space-separated vocabulary codes (SKILLS, AVAILABILITY): the same plain-text choice the service
    # profile uses, identical on both databases.
    skills: str = Field(default="", max_length=200)
    availability: str = Field(default="", max_length=200)
    # Declared membership only; confirming it is the organisation's business (out of scope).
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Shift(SQLModel, table=True):
    """A time slot of a service need. `booked` only moves by conditional UPDATEs (see signups.py), so
    concurrent sign-ups can never push it past `capacity`."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    date: date
    start_time: time
    end_time: time
    # Township-level name computed from the need's region: never the household's address.
    place: str = Field(max_length=80)
    capacity: int
    booked: int = Field(default=0)
    required_skills: str = Field(default="", max_length=200)
    status: str = Field(default="active", max_length=12)
    # Six digits for self check-in, shown to the coordinator only (read out at the door).
    signup_code: str = Field(max_length=6)
    # The organisation coordinating it (the claim holder when it was created), so its members can still
    # approve hours after the claim has ended with the need's verification.
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ShiftSignup(SQLModel, table=True):
    """A volunteer on a shift: booked, waitlisted (in id order) or cancelled. One row per volunteer and
    shift: the unique constraint stops a double sign-up even when two requests race."""

    __tablename__ = "shift_signup"
    __table_args__ = (UniqueConstraint("shift_id", "user_id", name="uq_shift_signup_shift_user"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    status: str = Field(max_length=12, index=True)
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class HoursEntry(SQLModel, table=True):
    """Hours earned by one attended sign-up. Declined entries stay (with the reason) as the record of
    the decision; nothing here is deleted."""

    __tablename__ = "hours_entry"

    id: int | None = Field(default=None, primary_key=True)
    signup_id: int = Field(foreign_key="shift_signup.id", unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    minutes: int
    status: str = Field(default="pending", max_length=12, index=True)
    # Set when the worker checked the volunteer out (自动签退): the reviewer should confirm the time.
    auto_checkout: bool = Field(default=False)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    decline_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
