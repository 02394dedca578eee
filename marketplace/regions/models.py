import sqlalchemy as sa
from sqlmodel import Field, SQLModel

LEVELS = ("province", "prefecture", "county", "township", "village")


class Region(SQLModel, table=True):
    """A GB/T 2260 division (6 digits) or a statistical township (9) or village (12)."""

    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=64)
    level: str = Field(max_length=12)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=12)
    # False for codes withdrawn from GB/T 2260; kept so old ID numbers and records still resolve.
    current: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
