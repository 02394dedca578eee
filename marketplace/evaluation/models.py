from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel


class EvaluationTally(SQLModel, table=True):
    """综合评估 figures of one organisation in one region (the need's region code), kept up to date in the
    transaction of each verification, rejection and follow-up (evaluation/tally.py), so the staff page and
    the public directory sum a few rows instead of recounting evidence. organization_id 0 stands for
    volunteers acting on their own (no foreign key for that reason)."""

    __tablename__ = "evaluation_tally"
    __table_args__ = (UniqueConstraint("organization_id", "region_code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(index=True)
    region_code: str = Field(max_length=12, index=True)
    verified: int = Field(default=0)
    rejected: int = Field(default=0)
    confirmed: int = Field(default=0)  # verified with the household's confirmation (code, slip or visit)
    on_time: int = Field(default=0)  # verified evidence submitted on or before the need's deadline
    followups: int = Field(default=0)
    satisfaction_sum: int = Field(default=0)
    satisfaction_count: int = Field(default=0)
    # Days from claim (or pledge) to verification -> how many: the median without reading the evidence.
    days: dict = Field(default_factory=dict, sa_type=JSON)
