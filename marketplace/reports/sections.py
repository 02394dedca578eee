"""The report's sections for one set of filters, each from a fresh snapshot where the worker keeps one,
else counted live, in the same shapes either way: the page and the downloads never know which."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlmodel import Session

from ..modelbase import utcnow
from . import snapshots
from .blind_spots import BlindSpot, LapsedClaim, StalledNeed, iter_blind_spots, lapsed_claims, unclaimed_needs
from .blind_spots import blind_spots as blind_spot_page
from .cliff import TierAid, aid_by_tier
from .coverage import Coverage, who_does_what_where
from .filters import ReportFilters


class Report:
    """`max_age` None: always live. Filters reach here through ReportFilters.parse, which refuses a region
    outside the reader's scope, and snapshots are found by that region: a county clerk never reads a
    city's. `computed_at` holds, per section read from a snapshot, when it was computed."""

    def __init__(self, session: Session, filters: ReportFilters, *, max_age: timedelta | None,
                 now: datetime | None = None):
        self.session, self.filters = session, filters
        self.now, self.max_age = now or utcnow(), max_age
        self.computed_at: dict[str, datetime] = {}

    def _stored(self, section: str, start: int = 0, stop: int | None = None) -> snapshots.Stored | None:
        if not self.max_age:
            return None
        stored = snapshots.read(self.session, self.filters, section, now=self.now, max_age=self.max_age,
                                start=start, stop=stop)
        if stored is not None:
            self.computed_at[section] = stored.computed_at
        return stored

    def blind_spots(self, per_page: int) -> tuple[list[BlindSpot], int]:
        start = (self.filters.page - 1) * per_page
        stored = self._stored("blind_spots", start, start + per_page)
        if stored is None:
            return blind_spot_page(self.session, self.filters, per_page=per_page)
        return stored.rows, stored.total

    def iter_blind_spots(self) -> Iterator[BlindSpot]:
        stored = self._stored("blind_spots")
        if stored is None:
            return iter_blind_spots(self.session, self.filters)
        return iter(stored.rows)

    def unclaimed(self, limit: int | None = None) -> tuple[list[StalledNeed], int]:
        stored = self._stored("unclaimed", 0, limit)
        if stored is None:
            return unclaimed_needs(self.session, self.filters, now=self.now, limit=limit)
        return stored.rows, stored.total

    def lapsed(self, limit: int | None = None) -> tuple[list[LapsedClaim], int]:
        stored = self._stored("lapsed", 0, limit)
        if stored is None:
            return lapsed_claims(self.session, self.filters, now=self.now, limit=limit)
        return stored.rows, stored.total

    def cliff(self) -> list[TierAid]:
        stored = self._stored("cliff")
        return aid_by_tier(self.session, self.filters) if stored is None else stored.rows

    def sources(self) -> list:
        """Needs by source (routing/sources.py SourceRow)."""
        from ..routing.sources import for_filters

        stored = self._stored("sources")
        return for_filters(self.session, self.filters) if stored is None else stored.rows

    def coverage(self) -> list[Coverage]:
        stored = self._stored("who_what_where")
        return who_does_what_where(self.session, self.filters) if stored is None else stored.rows
