from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Organization(SQLModel, table=True):
    """A charity, social organisation or company, identified by its 统一社会信用代码."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    uscc: str = Field(max_length=18, unique=True)
    kind: str = Field(default="charity", max_length=16)
    # For kind "government" (政府部门): which department (vocabulary.DEPARTMENTS: education, health, …).
    department: str | None = Field(default=None, max_length=16)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    status: str = Field(default="pending", max_length=12)
    # Declared service profile (服务意向): space-separated category codes and county/township codes that
    # recommendations rank by. Plain text keeps both databases and the form round trip identical.
    service_categories: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    service_regions: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    # The contact person is personal data: ciphertext only (privacy.vault), shown to the region's staff
    # and the organisation's administrators, never on public pages.
    contact_name_enc: bytes | None = None
    contact_phone_enc: bytes | None = None
    # Why the organisation was last rejected or suspended; its members read it on their organisation page.
    status_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class OrganizationHistory(SQLModel, table=True):
    """One vetting decision (who, when, from, to, why); registration is the first row."""

    __tablename__ = "organization_history"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str = Field(max_length=12)
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """An administrator's invitation to join the organisation. Only the SHA-256 of the random token is
    stored, so a copy of the database cannot be used to join; the token itself lives in the link."""

    __tablename__ = "organization_invitation"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(max_length=254)
    org_role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    accepted_by_id: int | None = Field(default=None, foreign_key="app_user.id")
