from datetime import date, datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class ResourceOffer(SQLModel, table=True):
    """A charity's assistance project (慈善项目) published on the resource list: what it gives, to whom,
    where, how much in all and per household, for how long. Public without any household; staff of the places
    it serves refer matching needs to it (NeedReferral). The remaining budget or quantity is kept by one
    conditional UPDATE per accepted referral, never below zero."""

    __tablename__ = "resource_offer"

    __table_args__ = (Index("ix_resource_offer_status_ends", "status", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=2000)
    # Space-separated codes (vocabulary.CATEGORIES, FORMS, TIERS, AGE_BANDS): a handful each, read whole.
    categories: str = Field(max_length=200)
    forms: str = Field(max_length=60)
    tiers: str = Field(default="", max_length=100)  # empty: any tier
    age_bands: str = Field(default="", max_length=60)  # empty: any age
    budget_fen: int | None = Field(default=None, sa_type=BigInteger)
    remaining_fen: int | None = Field(default=None, sa_type=BigInteger)
    quantity: int | None = None
    remaining_quantity: int | None = None
    unit: str | None = Field(default=None, max_length=8)
    cap_fen: int | None = None  # per household
    cap_quantity: int | None = None
    starts_on: date
    ends_on: date
    selection: str = Field(default="", max_length=500)  # how households are chosen (受助对象确定方式)
    status: str = Field(default="open", max_length=12, index=True)  # open | closed | withdrawn
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ResourceOfferRegion(SQLModel, table=True):
    """A place an offer serves (a county or a township): staff see the offers of the places in their scope."""

    __tablename__ = "resource_offer_region"

    offer_id: int = Field(foreign_key="resource_offer.id", primary_key=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, primary_key=True, index=True)


class NeedReferral(SQLModel, table=True):
    """Staff refer a need to an offer (定向转介): the need is held for the offer's organisation until
    `reserved_until` (Need.held_*); the organisation accepts (a claim, the offer's budget drops in the same
    transaction) or declines with a reason (the need returns to the public list)."""

    __tablename__ = "need_referral"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    offer_id: int = Field(foreign_key="resource_offer.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    referred_by_id: int = Field(foreign_key="app_user.id")
    reserved_until: datetime
    status: str = Field(default="pending", max_length=12, index=True)  # pending|accepted|declined|lapsed|cancelled
    amount_fen: int | None = None  # what accepting takes from the offer's remaining budget
    quantity: int | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=500)
    claim_id: int | None = Field(default=None, foreign_key="claim.id")
    created_at: datetime = Field(default_factory=utcnow)
