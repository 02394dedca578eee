from datetime import datetime

from sqlmodel import Field, SQLModel

from ..modelbase import utcnow


class SynonymGroup(SQLModel, table=True):
    """Domain words a searcher may use for one another (轮椅 助行器 无障碍). Staff edit the list; a query
    term found in a group also matches the group's other terms."""

    __tablename__ = "search_synonym"

    id: int | None = Field(default=None, primary_key=True)
    # Space-separated terms, first one the group's headword.
    terms: str = Field(max_length=300)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
