"""Arranging a month for the bulletin tests: needs driven through the real services (tests/support.py World),
then their life-cycle times moved into the month under test, as if it had happened then; chain entries
appended through the ledger's writer with the date they occurred on."""

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from marketplace.bulletins.period import CHINA
from marketplace.claims.models import Claim
from marketplace.fulfilment.models import Fulfilment
from marketplace.ledger import service as ledger
from marketplace.needs.models import Need, NeedHistory
from marketplace.registry.models import Household


def at(day: date, hour: int = 10) -> datetime:
    """A moment of that day in China, as the database keeps it (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA).astimezone(UTC)


def move_need(tx, need_id: int, *, posted: datetime, claimed: datetime | None = None,
              verified: datetime | None = None, expired: datetime | None = None) -> None:
    """Put a need's history at these times: publication, every step into and after its claim (its first claim
    at `claimed`), verification, expiry."""
    with tx() as s:
        s.execute(update(Need).where(Need.id == need_id).values(published_at=posted, created_at=posted))
        for row in s.scalars(select(NeedHistory).where(NeedHistory.need_id == need_id)):
            if row.to_status == "verified" and verified:
                row.at = verified
            elif row.to_status == "expired" and expired:
                row.at = expired
            elif row.to_status in ("claimed", "in_progress", "submitted") and claimed:
                row.at = claimed
            else:
                row.at = posted
        if claimed:
            s.execute(update(Claim).where(Claim.need_id == need_id).values(claimed_at=claimed))
        if verified:
            s.execute(update(Fulfilment).where(Fulfilment.need_id == need_id)
                      .values(submitted_at=verified, reviewed_at=verified))


def add_step(tx, need_id: int, from_status: str, to_status: str, when: datetime) -> None:
    """A later step of the need's history (the need's own status is left as the services set it)."""
    with tx() as s:
        s.add(NeedHistory(need_id=need_id, from_status=from_status, to_status=to_status, at=when))


def entry(tx, household_id: int, occurred_on: date, *, source: str = "government", category: str = "other",
          amount_fen: int | None = None, quantity: int | None = None, hours: float | None = None,
          organization_id: int | None = None, funding: str | None = None, title: str = "救助"):
    with tx() as s:
        household = s.get(Household, household_id)
        return ledger.append(s, household, source=source, category=category, title=title, amount_fen=amount_fen,
                             quantity=quantity, unit="件" if quantity else None, hours=hours, occurred_on=occurred_on,
                             organization_id=organization_id, funding=funding)
