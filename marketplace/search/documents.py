"""Index documents for needs, built from the public allowlist only: the Need's published text and
codes, the household's tier, and the place names k-anonymity lets a public page show. The household's
encrypted identity columns are never read here."""

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlmodel import Session

from ..needs.listing import nameable_townships
from ..needs.models import Need
from ..regions.models import Region
from ..registry.models import Household
from ..vocabulary import CATEGORIES, FORMS, TIERS, URGENCIES
from .schema import FACET_CODES, STATUS_CODES

# What a charity can still act on: open, or claimed but possibly handed back. Partly pledged needs stay
# open until covered, so they are indexed too.
INDEXED_STATUSES = STATUS_CODES


def _codes(value: str, table: tuple[str, ...]) -> int:
    return table.index(value) if value in table else 0


def _day(value) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def documents(session: Session, need_ids: Iterable[int]) -> Iterator[tuple[int, dict | None]]:
    """(need id, document) for each id; the document is None when the need must not be in the index
    (a draft, a verified or cancelled need, or one that no longer exists)."""
    ids = list(need_ids)
    rows = session.execute(
        select(Need.id, Need.title, Need.description, Need.category, Need.form, Need.urgency, Need.status,
               Need.region_code, Need.deadline, Need.published_at, Household.tier)
        .join(Household, Household.id == Need.household_id)
        .where(Need.id.in_(ids))
    ).all()
    found = {row.id: row for row in rows}
    listed = [row for row in rows if row.status in INDEXED_STATUSES]
    townships = nameable_townships(session, {(row.region_code, row.tier) for row in listed})
    regions = {row.region_code[:6] for row in listed} | {row.region_code[:4] + "00" for row in listed}
    names = _names(session, regions | {t for t in townships.values() if t})
    for need_id in ids:
        row = found.get(need_id)
        if row is None or row.status not in INDEXED_STATUSES:
            yield need_id, None
            continue
        township = townships[(row.region_code, row.tier)] or ""
        county = row.region_code[:6]
        places = [names.get(row.region_code[:4] + "00", ""), names.get(county, ""), names.get(township, "")]
        labels = " ".join((CATEGORIES.get(row.category, ""), FORMS.get(row.form, ""), TIERS.get(row.tier, ""),
                           URGENCIES.get(row.urgency, "")))
        yield need_id, {
            "id": str(row.id),
            "text": "\n".join((row.title, row.description, labels, " ".join(p for p in places if p))),
            "title": row.title,
            "f_status": _codes(row.status, STATUS_CODES),
            "f_category": _codes(row.category, FACET_CODES["category"]),
            "f_form": _codes(row.form, FACET_CODES["form"]),
            "f_tier": _codes(row.tier, FACET_CODES["tier"]),
            "f_urgency": _codes(row.urgency, FACET_CODES["urgency"]),
            "f_county": int(county),
            "f_township": int(township) if township else 0,
            "deadline": _day(row.deadline),
            "published": _day(row.published_at),
        }


def indexed_need_ids(session: Session, batch: int = 2000) -> Iterator[list[int]]:
    """Every need the index should hold, in id batches (keyset pagination keeps memory flat)."""
    last = 0
    while True:
        ids = list(session.scalars(select(Need.id).where(Need.status.in_(INDEXED_STATUSES), Need.id > last)
                                   .order_by(Need.id).limit(batch)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def count_indexed(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Need).where(Need.status.in_(INDEXED_STATUSES)))
