"""Needs by source (需求来源) for the reports page: how civil affairs learned of the needs posted in a
region and period (窗口受理, 救助热线, 入户走访, …), with how many of them went to a department first."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from ..auth.access import within_sql
from ..needs.models import Need
from ..vocabulary import NEED_SOURCES
from .models import NeedRouting

UNRECORDED = ""  # needs posted before the source was asked for


@dataclass(frozen=True)
class SourceRow:
    source: str  # a NEED_SOURCES code, or "" (未记录)
    needs: int
    routed: int


def needs_by_source(session: Session, region_code: str, date_from: date, date_to: date) -> list[SourceRow]:
    """Needs created in the division `region_code` between the two days (inclusive), per source, in
    vocabulary order; sources with no need are listed with 0 so the table always reads the same. One
    GROUP BY over the region's needs of the period (the region index), like the report's other tables."""
    start = datetime.combine(date_from, time(0), UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), UTC)
    scoped = (within_sql(Need.region_code, region_code), Need.created_at >= start, Need.created_at < end)
    counts = dict(session.execute(select(Need.source, func.count()).where(*scoped).group_by(Need.source)).all())
    routed = dict(session.execute(
        select(Need.source, func.count(func.distinct(Need.id))).join(NeedRouting, NeedRouting.need_id == Need.id)
        .where(*scoped).group_by(Need.source)).all())
    rows = [SourceRow(code, counts.get(code, 0), routed.get(code, 0)) for code in NEED_SOURCES]
    if counts.get(UNRECORDED):
        rows.append(SourceRow(UNRECORDED, counts[UNRECORDED], routed.get(UNRECORDED, 0)))
    return rows


def for_filters(session: Session, filters) -> list[SourceRow]:
    """For the reports page: `filters` is reports.filters.ReportFilters (region already scoped to the reader)."""
    return needs_by_source(session, filters.region, filters.date_from, filters.date_to)
