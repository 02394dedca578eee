"""Who does what where (谁在哪里做什么): organizations × categories × townships from the chain, so staff
can see which places and kinds of help no one covers and where charities crowd together."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ..i18n import N_, translate
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..organizations.models import Organization
from ..purchases.funding import effective_sql
from .filters import ReportFilters, in_scope_of

# Names kept as data (the downloads print them, snapshots store them); pages translate them (`provider`).
GOVERNMENT = N_("政府救助")
INDIVIDUAL_VOLUNTEERS = N_("志愿者（个人）")


@dataclass(frozen=True)
class Coverage:
    source: str
    organization: str
    category: str
    township: str  # a 9-digit township code (or the entry's own code when it is a county)
    entries: int
    households: int
    amount_fen: int
    hours: float
    # Who paid (vocabulary.FUNDING): an organisation's own aid and the services a government bought from it
    # are separate rows. Last and defaulted, so a snapshot stored before it still reads (as unknown).
    funding: str = ""

    @property
    def provider(self) -> str:
        """`organization` as a page shows it: government aid and lone volunteers in the reader's language."""
        return translate(self.organization) if self.organization in (GOVERNMENT, INDIVIDUAL_VOLUNTEERS) \
            else self.organization


def who_does_what_where(session: Session, filters: ReportFilters) -> list[Coverage]:
    """Effective chain entries (ledger/effective.py) in the period grouped by (source, organization, category, township). Government aid
    is one row per category and township; volunteers without an organization share one row."""
    township = func.substr(LedgerEntry.region_code, 1, 9)
    funding = effective_sql(LedgerEntry, Organization.kind)
    query = (
        select(LedgerEntry.source, Organization.name, LedgerEntry.category, township, funding,
               func.count(LedgerEntry.id), func.count(func.distinct(LedgerEntry.household_id)),
               func.coalesce(func.sum(LedgerEntry.amount_fen), 0), func.coalesce(func.sum(LedgerEntry.hours), 0))
        .outerjoin(Organization, Organization.id == LedgerEntry.organization_id)
        .where(in_scope_of(LedgerEntry.region_code, filters.prefix),
               LedgerEntry.occurred_on >= filters.date_from, LedgerEntry.occurred_on <= filters.date_to,
               effective.is_effective())
        .group_by(LedgerEntry.source, Organization.id, Organization.name, LedgerEntry.category, township, funding)
    )
    rows = []
    for source, org, category, place, paid_by, entries, households, amount, hours in session.execute(query):
        name = GOVERNMENT if source == "government" else org or INDIVIDUAL_VOLUNTEERS
        rows.append(Coverage(source, name, category, place, entries, households, int(amount), float(hours), paid_by))
    # Government first, then organizations by name; within each, by township, category and funding.
    rows.sort(key=lambda r: (r.source != "government", r.organization, r.township, r.category, r.funding))
    return rows
