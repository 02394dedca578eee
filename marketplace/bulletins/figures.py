"""The bulletin's figures on needs, aid and blind spots for one division and one month. Every count is one
aggregate statement restricted to the month and the division (a code range, reports/filters.py), so a city's
month costs a few scans, not a loop over its registry; only the month's claimed and verified needs come back
as rows, for their medians.

Definitions, shared with the public figures (contract of issue 17) and the staff dashboard:
- posted: needs published in the month; claimed / fulfilled / expired: needs whose first step into 已认领
  (a claim, or pledges covering the target) / 已核验 / 已过期 falls in the month (need history; a note
  repeating the status is not a step);
- days to claim / to verify: median whole days from publication of the needs claimed / verified that month;
- aid: effective chain entries (ledger/effective.py: the last of a line of corrections, never a void) that
  occurred in the month, by who delivered them (政府购买服务 is funding "purchase", whatever the source);
- blind spots: reports/blind_spots.py's list as of the month's last day (6 months without aid);
- unclaimed: needs open more than 14 days at the end of the month, as their history tells it."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, case, cast, func, literal_column, null, or_, select, union_all
from sqlmodel import Session

from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs.models import Need, NeedHistory
from ..reports import blind_spots
from ..reports.filters import DEFAULT_MONTHS, ReportFilters, in_scope_of
from ..vocabulary import CATEGORIES
from .period import CHINA, Month, aware

SOURCES = ("government", "charity", "volunteer", "purchase")  # transparency/labels.py DELIVERY_SOURCES
NEED_MEASURES = ("posted", "claimed", "fulfilled", "expired")
BLIND_SPOT_MONTHS = DEFAULT_MONTHS
UNCLAIMED_DAYS = blind_spots.UNCLAIMED_DAYS

# Who delivered an entry, as the public reads it: its source, except purchased services.
DELIVERY_SOURCE = case((LedgerEntry.funding == "purchase", "purchase"), else_=LedgerEntry.source)


def in_month(column, month: Month):
    return (column >= month.start) & (column < month.end)


def _step_into(status: str):
    """A history row that moves the need into `status` (not a note left on a need already there)."""
    return (NeedHistory.to_status == status) & or_(NeedHistory.from_status.is_(None),
                                                   NeedHistory.from_status != status)


def _days(published: datetime | None, at: datetime) -> int | None:
    if published is None:
        return None
    return int((aware(at) - aware(published)).total_seconds() // 86400)


def _median(values: list[int]) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def _first_steps(session: Session, prefix: str, month: Month, status: str) -> list[tuple[str, int | None]]:
    """(category, whole days since publication) of each need of the division whose first step into `status`
    falls in the month: the month's rows only. The history is read first (its rows are small) and only the
    needs it names are looked up; the other way round would read every need of a city, description and all."""
    first = func.min(NeedHistory.at)
    firsts = (select(NeedHistory.need_id, first.label("at"))
              .where(_step_into(status), NeedHistory.at < month.end)
              .group_by(NeedHistory.need_id).having(first >= month.start).subquery("firsts"))
    query = (select(Need.category, Need.published_at, firsts.c.at).select_from(firsts)
             .join(Need, Need.id == firsts.c.need_id).where(in_scope_of(Need.region_code, prefix)))
    return [(category, _days(published, at)) for category, published, at in session.execute(query)]


def needs(session: Session, prefix: str, month: Month) -> dict:
    """Needs posted, claimed, fulfilled and expired in the month by category, with the medians."""
    counts: dict[str, dict[str, int]] = {}

    def add(category: str, measure: str, n: int = 1) -> None:
        counts.setdefault(category, dict.fromkeys(NEED_MEASURES, 0))[measure] += n

    posted = (select(Need.category, func.count()).where(in_scope_of(Need.region_code, prefix),
                                                         in_month(Need.published_at, month))
              .group_by(Need.category))
    for category, n in session.execute(posted):
        add(category, "posted", n)
    expired_ids = (select(NeedHistory.need_id).where(_step_into("expired"), in_month(NeedHistory.at, month))
                   .group_by(NeedHistory.need_id).subquery("expired_ids"))
    expired = (select(Need.category, func.count()).select_from(expired_ids)
               .join(Need, Need.id == expired_ids.c.need_id).where(in_scope_of(Need.region_code, prefix))
               .group_by(Need.category))
    for category, n in session.execute(expired):
        add(category, "expired", n)
    days: dict[str, dict[str, list[int]]] = {"claimed": {}, "fulfilled": {}}
    for measure, status in (("claimed", "claimed"), ("fulfilled", "verified")):
        for category, waited in _first_steps(session, prefix, month, status):
            add(category, measure)
            if waited is not None:
                days[measure].setdefault(category, []).append(waited)
    rows = []
    for category in [c for c in CATEGORIES if c in counts] + sorted(set(counts) - set(CATEGORIES)):
        rows.append({"category": category, **counts[category],
                     "days_to_claim": _median(days["claimed"].get(category, [])),
                     "days_to_verify": _median(days["fulfilled"].get(category, []))})
    total = {"category": "", **{m: sum(r[m] for r in rows) for m in NEED_MEASURES},
             "days_to_claim": _median([d for v in days["claimed"].values() for d in v]),
             "days_to_verify": _median([d for v in days["fulfilled"].values() for d in v])}
    return {"rows": rows, "total": total}


def effective_in(prefix: str, month: Month):
    # The month and the division first: the correction probe of is_effective runs only on what they keep.
    return (LedgerEntry.occurred_on >= month.first, LedgerEntry.occurred_on <= month.last,
            in_scope_of(LedgerEntry.region_code, prefix), effective.is_effective())


def amounts_of(row) -> dict:
    money, goods, hours, households, entries = row
    return {"money_fen": int(money or 0), "goods": int(goods or 0), "hours": round(float(hours or 0), 1),
            "households": int(households or 0), "entries": int(entries or 0)}


def _sums(e) -> tuple:
    return (func.sum(e.amount_fen), func.sum(e.quantity), func.sum(e.hours), func.count(func.distinct(e.household_id)),
            func.count())


@dataclass(frozen=True)
class Aid:
    delivered: dict  # by source, with the total: the bulletin's section
    by_organization: dict  # organisation id (None: volunteers on their own) -> amounts_of(...)


def aid(session: Session, prefix: str, month: Month) -> Aid:
    """Aid delivered in the month: money, goods, service hours, households and entries by source and in total
    (one household helped by two sources counts once in the total), and per organisation (government aid
    without a department is no organisation's). One statement: the month's effective entries are read once,
    as a common table both databases materialise because it is used three times, and grouped three ways."""
    month_entries = (select(LedgerEntry.household_id, DELIVERY_SOURCE.label("source"),
                            LedgerEntry.source.label("given_by"), LedgerEntry.organization_id, LedgerEntry.amount_fen,
                            LedgerEntry.quantity, LedgerEntry.hours)
                     .where(*effective_in(prefix, month)).cte("month_entries"))
    e = month_entries.c
    # Typed NULLs: PostgreSQL matches a UNION's column types branch by branch.
    no_source, no_org = cast(null(), String), cast(null(), Integer)
    statement = union_all(
        select(literal_column("'source'"), e.source, no_org, *_sums(e)).group_by(e.source),
        select(literal_column("'total'"), no_source, no_org, *_sums(e)),
        select(literal_column("'org'"), no_source, e.organization_id, *_sums(e))
        .where(or_(e.organization_id.is_not(None), e.given_by == "volunteer")).group_by(e.organization_id))
    by_source, total, by_org = {}, amounts_of((0, 0, 0, 0, 0)), {}
    for kind, source, organization_id, *rest in session.execute(statement):
        if kind == "source":
            by_source[source] = amounts_of(rest)
        elif kind == "total":
            total = amounts_of(rest)
        else:
            by_org[organization_id] = amounts_of(rest)
    empty = amounts_of((0, 0, 0, 0, 0))
    rows = [{"source": source, **by_source.pop(source, empty)} for source in SOURCES]
    rows += [{"source": source, **amounts} for source, amounts in sorted(by_source.items())]  # none expected
    return Aid({"rows": rows, "total": {"source": "", **total}}, by_org)


def as_of(month: Month, now: datetime) -> datetime:
    """When the month's standing figures are taken: its end, or now for the month still running."""
    return min(month.end, aware(now))


def blind_spot_count(session: Session, region_code: str, month: Month, now: datetime) -> int:
    """Households in serious hardship without effective aid for BLIND_SPOT_MONTHS months, as of the month's
    last day (the registry's standing as it is now: an exited household is not counted)."""
    day = (as_of(month, now) - timedelta(microseconds=1)).astimezone(CHINA).date()
    filters = ReportFilters(region_code, month.first, day, BLIND_SPOT_MONTHS)
    return blind_spots.blind_spots(session, filters, per_page=1)[1]


def unclaimed_count(session: Session, prefix: str, month: Month, now: datetime) -> int:
    """Needs published more than UNCLAIMED_DAYS days before the month's end and still open then: the need's
    status at that moment is its latest history row up to it (the current status for a need loaded without
    history)."""
    moment = as_of(month, now)
    status_then = (select(NeedHistory.to_status)
                   .where(NeedHistory.need_id == Need.id, NeedHistory.at <= moment)
                   .order_by(NeedHistory.at.desc(), NeedHistory.id.desc()).limit(1)
                   .correlate(Need).scalar_subquery())
    query = (select(func.count()).select_from(Need)
             .where(in_scope_of(Need.region_code, prefix), Need.published_at.is_not(None),
                    Need.published_at < moment - timedelta(days=UNCLAIMED_DAYS),
                    func.coalesce(status_then, Need.status) == "open"))
    return session.scalar(query) or 0
