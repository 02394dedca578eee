from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class LedgerEntry(SQLModel, table=True):
    """One link of a household's assistance chain (一户一条救助链). Append-only: a correction is a
    new entry naming the one it corrects. entry_hash covers the fields and the previous hash."""

    __tablename__ = "ledger_entry"
    # (household_id, category) serves the duplicate check, which asks for one household's entries of one
    # category on every posting and claim.
    __table_args__ = (UniqueConstraint("household_id", "seq"),
                      Index("ix_ledger_entry_household_id_category", "household_id", "category"),
                      # The blind-spot report asks "any entry since date X" per household: index-only.
                      Index("ix_ledger_entry_household_id_occurred_on", "household_id", "occurred_on"))

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    seq: int
    region_code: str = Field(max_length=12, index=True)
    source: str = Field(max_length=12)
    kind: str = Field(default="aid", max_length=12)
    category: str = Field(max_length=16)
    title: str = Field(max_length=120)
    amount_fen: int | None = None
    quantity: int | None = None
    unit: str | None = Field(default=None, max_length=8)
    hours: float | None = None
    occurred_on: date
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    need_id: int | None = Field(default=None, foreign_key="need.id")
    fulfilment_id: int | None = Field(default=None, foreign_key="fulfilment.id")
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    verified_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    corrects_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    note: str | None = Field(default=None, max_length=500)
    # Identifies an imported government payment, so importing the same file twice appends nothing.
    external_key: str | None = Field(default=None, max_length=64, unique=True)
    # What duplicate rules compare, copied from the need on verification (see needs.models.Need).
    period_start: date | None = None
    period_end: date | None = None
    member_ref: str | None = Field(default=None, max_length=16)
    item_key: str | None = Field(default=None, max_length=40)
    # Charity and volunteer aid: how the household confirmed receipt (code | slip | visit), or "none", shown
    # as 未经受助方确认. None on government entries and on entries older than the field.
    confirmation: str | None = Field(default=None, max_length=8)
    # Who paid (vocabulary.FUNDING: fiscal, purchase, charity, corporate, volunteer), since migration 0018;
    # hashed when set, as confirmation. Entries before it read their funding from `source`.
    funding: str | None = Field(default=None, max_length=12)
    purchase_project_id: int | None = Field(default=None, foreign_key="purchase_project.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64, unique=True)


class OrganizationTotal(SQLModel, table=True):
    """An organisation's effective chain entries and amount, as the public directory shows them (a line of
    corrections counts once, by its latest entry; a voided entry not at all). Kept by the ledger writer
    (ledger/org_totals.py) in the transaction that appends each entry, never summed per request."""

    __tablename__ = "organization_total"

    organization_id: int = Field(primary_key=True, foreign_key="organization.id")
    entries: int = Field(default=0)
    amount_fen: int = Field(default=0, sa_type=BigInteger)  # a city's sum outgrows a 32-bit integer


class LedgerHead(SQLModel, table=True):
    """Each chain's newest entry as the ledger writer last appended it (sequence number and hash), kept in
    the transaction of every append. An entry deleted from the end of a chain leaves the head pointing
    past what the chain holds, so truncation shows (ledger/integrity.py)."""

    __tablename__ = "ledger_head"

    household_id: int = Field(primary_key=True, foreign_key="household.id")
    seq: int
    entry_hash: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class LedgerCheckpoint(SQLModel, table=True):
    """A keyed digest over every chain head at one moment, written daily by the worker. The key is derived
    from MARKETPLACE_DATA_KEY and never stored: whoever can edit the database cannot forge a checkpoint
    after removing heads and entries. An auditor keeps a printed copy elsewhere (`marketplace ledger
    checkpoint`)."""

    __tablename__ = "ledger_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    chains: int
    entries: int = Field(sa_type=BigInteger)
    digest: str = Field(max_length=64)
    # Fingerprint of the key that made the digest (a rotated data key makes new checkpoints).
    key_id: str = Field(max_length=16)


class AidItem(SQLModel, table=True):
    """救助项目 → platform category (and goods kind where it applies), as data: staff with the rule-
    configuration duty edit it on /staff/aid-items. `pattern` is matched as a substring of the imported
    救助项目, the longest match winning. A row with no category is an item the aid import met and nobody
    has mapped yet (origin "import"): listed for mapping, its entries counted as 其他 meanwhile."""

    __tablename__ = "aid_item"

    id: int | None = Field(default=None, primary_key=True)
    pattern: str = Field(max_length=60, unique=True)
    category: str | None = Field(default=None, max_length=16)
    goods_kind: str | None = Field(default=None, max_length=16)
    origin: str = Field(default="default", max_length=12)
    seen: int = Field(default=0)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
