from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class Need(SQLModel, table=True):
    """An anonymised need posted by staff for one household. `version` makes every transition a
    conditional update, so concurrent actors cannot both win."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    # The household's township, copied so listings and scoping need no join to private data.
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    category: str = Field(max_length=16, index=True)
    form: str = Field(max_length=12)
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=2000)
    urgency: str = Field(default="normal", max_length=8)
    target_amount_fen: int | None = None
    target_quantity: int | None = None
    unit: str | None = Field(default=None, max_length=8)
    deadline: date
    status: str = Field(default="draft", max_length=12, index=True)
    version: int = Field(default=1)
    # The live sum of pledges (pledges/): never above the target, kept by one conditional UPDATE per pledge.
    pledged_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    pledged_quantity: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Legal basis for giving the household's contact to the fulfiler: none (staff arrange contact),
    # household_consent, or guardian_consent (required when the person helped is a minor).
    contact_basis: str = Field(default="none", max_length=20, sa_column_kwargs={"server_default": "none"})
    age_band: str | None = Field(default=None, max_length=8)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)  # 需求管理 lists the latest changed first
    published_at: datetime | None = None
    # The facts duplicate rules compare (duplicates/): the span the aid covers (a school term, a care
    # service), the household member it is for as a non-identifying reference (子女1, 户主, 配偶: never a
    # name), and the normalised goods item (电暖器).
    period_start: date | None = None
    period_end: date | None = None
    member_ref: str | None = Field(default=None, max_length=16)
    item_key: str | None = Field(default=None, max_length=40)
    # Why staff posted despite a duplicate warning (一事一议); copied to the chain entry on verification.
    override_reason: str | None = Field(default=None, max_length=500)
    # Keyed digest of an imported row's natural key, so importing the same need list twice adds nothing.
    import_key: str | None = Field(default=None, max_length=64, unique=True)
    # How civil affairs learned of the need (vocabulary.NEED_SOURCES: 窗口受理, 救助热线, 入户走访, …), required
    # when posting and importing since migration 0018; "" for needs posted before it (shown as 未记录).
    source: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    # Held for one organisation until a time (a department routed to, 分类推送; an offer referred to, 定向转介):
    # others cannot claim or pledge it meanwhile. Past `held_until` the hold is simply over.
    held_by_org_id: int | None = Field(default=None, foreign_key="organization.id")
    held_until: datetime | None = None
    hold_kind: str | None = Field(default=None, max_length=12)  # routing | referral
    # A service need assigned to a government purchase project: its provider carries it out (no public claim).
    purchase_project_id: int | None = Field(default=None, foreign_key="purchase_project.id", index=True)


class NeedHistory(SQLModel, table=True):
    """Every transition of a need: who, when, from, to, why. Worker transitions have no actor."""

    __tablename__ = "need_history"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str = Field(max_length=12)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=utcnow)
