from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class EvidenceFile(SQLModel, table=True):
    """A photo or PDF receipt attached to the evidence of a claim or a pledge. The bytes live in storage
    (evidence/storage.py) under the SHA-256 of the processed file; this row says whose it is, who may see it
    (staff of the need's region, the submitting organisation or volunteer) and what became of it.

    A file is staged while the fulfiler prepares the evidence (and may be removed then); submitting the
    evidence attaches it (attached_at), after which only a verifier can hide it, with a reason."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    pledge_id: int | None = Field(default=None, foreign_key="pledge.id", index=True)
    fulfilment_id: int | None = Field(default=None, foreign_key="fulfilment.id", index=True)
    # The organisation that submitted it (None: a volunteer on their own, who alone sees it besides staff).
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    uploaded_by_id: int = Field(foreign_key="app_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    # evidence.roles.ROLES: photo, receipt, delivery, before, after, slip
    role: str = Field(max_length=12)
    kind: str = Field(max_length=8)  # image | pdf
    content_type: str = Field(max_length=32)
    sha256: str = Field(max_length=64, index=True)
    thumb_sha256: str = Field(max_length=64, index=True)
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    attached_at: datetime | None = None
    removed_at: datetime | None = None  # removed by the uploader before the evidence was submitted
    hidden_at: datetime | None = None
    hidden_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    hidden_reason: str | None = Field(default=None, max_length=500)
    purged_at: datetime | None = None  # past MARKETPLACE_RETENTION_EVIDENCE_DAYS
    # The bytes (file and thumbnail) left storage: after removal, hiding or purge, once no live row shares them.
    blob_deleted_at: datetime | None = None
