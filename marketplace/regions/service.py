"""Administrative divisions: loading them and naming areas for display. Plain queries, no cache.

Public pages show areas at township level at most ("涡阳县 · 楚店镇"): a village (12-digit) code is
generalised to its township and never displayed."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import scope_prefix
from .models import Region

SEPARATOR = " · "


def ensure_regions(session: Session, rows: Iterable[tuple[str, str, str, str | None]]) -> int:
    """Insert the (code, name, level, parent_code) rows not yet present; parents must come first.
    Existing rows are left as they are. Returns how many were added."""
    rows = list(rows)
    codes = [row[0] for row in rows]
    existing: set[str] = set()
    for i in range(0, len(codes), 500):  # stay under the bound-parameter limit of older SQLite builds
        existing.update(session.scalars(select(Region.code).where(Region.code.in_(codes[i:i + 500]))))
    added = 0
    for code, name, level, parent_code in rows:
        if code in existing:
            continue
        session.add(Region(code=code, name=name, level=level, parent_code=parent_code))
        existing.add(code)
        added += 1
    session.flush()
    return added


def township_code(code: str) -> str:
    """The code generalised to township level: a village code (12 digits) becomes its township's."""
    return code[:9] if len(code) > 9 else code


def area_name(session: Session, code: str | None) -> str:
    """Display name of an area at township level at most: "涡阳县 · 楚店镇" for a township or village,
    "涡阳县" for a county, the division's own name above that. Unknown codes fall back to the nearest
    known level, then to the code itself."""
    if not code:
        return ""
    code = township_code(code)
    if len(code) == 9:
        query = select(Region.code, Region.name).where(Region.code.in_((code[:6], code)))
        names = dict(session.execute(query).all())
        parts = [names[c] for c in (code[:6], code) if c in names]
        return SEPARATOR.join(parts) if parts else code
    region = session.get(Region, code)
    return region.name if region else code


def get(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def children(session: Session, code: str) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code)))


def counties(session: Session, under: str | None = None) -> list[Region]:
    """Counties (区/县), all of them or those inside the division `under` (a province or prefecture)."""
    query = select(Region).where(Region.level == "county")
    if under:
        query = query.where(Region.code.startswith(scope_prefix(under)))
    return list(session.scalars(query.order_by(Region.code)))


def townships(session: Session, county_code: str) -> list[Region]:
    query = select(Region).where(Region.parent_code == county_code, Region.level == "township")
    return list(session.scalars(query.order_by(Region.code)))
