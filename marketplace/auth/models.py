from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class AppUser(SQLModel, table=True):
    """A person who signs in. Named app_user because `user` is reserved on PostgreSQL."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=64)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    # Staff see the households of this region's subtree; others use it as their home area.
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=12)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    # Role inside the organisation (vocabulary.ORG_ROLES); None on a charity account with an organisation
    # reads as "member" (accounts made before organisation roles existed).
    org_role: str | None = Field(default=None, max_length=16)
    is_active: bool = Field(default=True)
    # A volunteer's declared service profile (服务意向); charity members use their organization's.
    service_categories: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    service_regions: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    # Language of the mail we send (notify/): zh_CN unless the user chose English ("en").
    locale: str = Field(default="zh_CN", max_length=8, sa_column_kwargs={"server_default": "zh_CN"})
    # Staff duties (vocabulary.STAFF_DUTIES), comma-separated: least privilege inside the staff role.
    duties: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # TOTP second factor: the secret encrypted with the vault; enabled once the first code was confirmed.
    totp_secret_enc: bytes | None = None
    totp_enabled_at: datetime | None = None
    # The last accepted TOTP time step (unix time // 30): a code is accepted once, never replayed.
    totp_last_step: int | None = None
    password_changed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def duty_set(self) -> frozenset[str]:
        return frozenset(d for d in (self.duties or "").split(",") if d)

    def has_duty(self, duty: str) -> bool:
        return self.role == "staff" and duty in self.duty_set


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the TOTP code when the phone is lost; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None
