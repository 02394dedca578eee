"""The 衔接台账: every chain entry as one row, as an official hands it on to the provincial system.

Rows are streamed from the database in chunks (a server-side cursor on PostgreSQL, SQLite's cursor
steps through the result), so a million entries export in constant memory. Households appear by public
code, region names and tier only: no name, ID number, phone or address ever goes into the file."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..auth.models import AppUser
from ..organizations.models import Organization
from ..purchases.funding import of_source
from ..regions.models import Region
from ..registry.models import Household
from ..spreadsheets import Column, fit, write_csv, write_xlsx
from ..vocabulary import CATEGORIES, CONFIRMATIONS, FUNDING, LEDGER_SOURCES, TIERS
from .models import LedgerEntry

CHUNK = 5000
TITLE = "救助帮扶衔接台账"
KINDS = {"aid": "帮扶", "correction": "更正"}
YUAN = "#,##0.00"

COLUMNS = [
    Column("对象编号", fit("对象编号", 10)),
    Column("地区", fit("地区", 26)),
    Column("救助类别", fit("救助类别", 16)),
    Column("来源", fit("来源", 8)),
    Column("帮扶方", fit("帮扶方", 28)),
    Column("类别", fit("类别", 10)),
    Column("项目", fit("项目", 32)),
    Column("金额（元）", fit("金额（元）", 12), YUAN),
    Column("数量", fit("数量", 6), "0"),
    Column("单位", fit("单位", 4)),
    Column("服务时长（小时）", fit("服务时长（小时）", 6), "0.0"),
    Column("发生日期", fit("发生日期", 10)),
    Column("登记日期", fit("登记日期", 10)),
    Column("核验人", fit("核验人", 10)),
    Column("记录类型", fit("记录类型", 4)),
    Column("链上序号", fit("链上序号", 4), "0"),
    Column("更正的记录", fit("更正的记录", 16)),
    Column("说明", fit("说明", 30)),
    # 送达确认 of aid verified on the platform: 确认码, 签收回执, 回访 or 未经受助方确认; empty for entries that
    # never asked (government aid, corrections, entries verified before the household could confirm).
    Column("受助方确认", fit("受助方确认", 14)),
    # 财政资金, 政府购买服务, 慈善资金, 企业捐赠 or 志愿服务. Last, so the columns before it keep their places for
    # whoever reads the file by position. Entries before migration 0018 carry none and read it from their
    # source and organisation's kind (purchases/funding.py).
    Column("资金来源", fit("资金来源", 12)),
]


@dataclass(frozen=True)
class ExportFilters:
    region: str | None = None  # a code prefix (scope_prefix of a division), or all regions
    date_from: date | None = None
    date_to: date | None = None


def _query(filters: ExportFilters):
    corrected = aliased(LedgerEntry)
    verifier = aliased(AppUser)
    query = (
        select(Household.public_code, LedgerEntry.region_code, Household.tier, LedgerEntry.source,
               Organization.name, LedgerEntry.category, LedgerEntry.title, LedgerEntry.amount_fen,
               LedgerEntry.quantity, LedgerEntry.unit, LedgerEntry.hours, LedgerEntry.occurred_on,
               LedgerEntry.created_at, verifier.display_name, LedgerEntry.kind, LedgerEntry.seq,
               corrected.seq, LedgerEntry.note, LedgerEntry.confirmation, LedgerEntry.funding, Organization.kind)
        .join(Household, Household.id == LedgerEntry.household_id)
        .outerjoin(Organization, Organization.id == LedgerEntry.organization_id)
        .outerjoin(verifier, verifier.id == LedgerEntry.verified_by_id)
        .outerjoin(corrected, corrected.id == LedgerEntry.corrects_id)
    )
    conditions = []
    if filters.region:
        upper = str(int(filters.region) + 1).zfill(len(filters.region))
        conditions += [LedgerEntry.region_code >= filters.region, LedgerEntry.region_code < upper]
    if filters.date_from:
        conditions.append(LedgerEntry.occurred_on >= filters.date_from)
    if filters.date_to:
        conditions.append(LedgerEntry.occurred_on <= filters.date_to)
    if conditions:
        query = query.where(and_(*conditions))
    # Chain order: the (household_id, seq) unique index delivers it without a sort.
    return query.order_by(LedgerEntry.household_id, LedgerEntry.seq)


def _region_names(session: Session) -> dict[str, str]:
    """County and township names, loaded once (a few thousand rows) instead of joined per entry."""
    query = select(Region.code, Region.name).where(Region.level.in_(("county", "township")))
    return dict(session.execute(query).all())


def rows(session: Session, filters: ExportFilters, *, as_text: bool = False) -> Iterator[tuple]:
    """One tuple per entry. `as_text` gives CSV-ready strings (dates ISO, yuan with two decimals), which
    spares the CSV writer a conversion per cell; otherwise real dates and Decimal yuan for XLSX cells."""
    names = _region_names(session)
    areas: dict[str, str] = {}
    day = date.isoformat if as_text else _same
    money = _yuan_text if as_text else _yuan
    # Core execution on the session's connection: the ORM layer adds nothing to plain column rows and
    # doubles the cost of a million of them.
    result = session.connection().execute(_query(filters).execution_options(yield_per=CHUNK, stream_results=True))
    for (code, region, tier, source, org, category, title, amount, quantity, unit, hours, occurred, created,
         verifier, kind, seq, corrected_seq, note, confirmation, funding, org_kind) in result:
        area = areas.get(region)
        if area is None:
            parts = [names.get(region[:6]), names.get(region[:9]) if len(region) >= 9 else None]
            area = areas[region] = " · ".join(p for p in parts if p) or region
        funding = funding or of_source(source, org_kind)
        yield (code, area, TIERS.get(tier, tier), LEDGER_SOURCES.get(source, source), org or "",
               CATEGORIES.get(category, category), title, money(amount), quantity, unit, hours, day(occurred),
               day(created.date()), verifier or "", KINDS.get(kind, kind), seq,
               f"{code} 第{corrected_seq}条" if corrected_seq else "", note or "",
               CONFIRMATIONS.get(confirmation, confirmation or ""), FUNDING.get(funding, funding))


def _same(value):
    return value


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


def _yuan_text(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-{_yuan_text(-fen)}"


def export_ledger(session: Session, path: Path | str, fmt: str, filters: ExportFilters) -> int:
    """Write the ledger to `path` as "csv" or "xlsx"; returns the number of entries written."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            return write_csv(COLUMNS, rows(session, filters, as_text=True), handle, convert=False)
    if fmt == "xlsx":
        return write_xlsx(COLUMNS, rows(session, filters), path, title="救助帮扶衔接台账")
    raise ValueError(f"unknown format {fmt!r}")


def write(session: Session, handle, fmt: str, filters: ExportFilters) -> int:
    """The same into an open file (binary for xlsx, text for csv): for downloads from the report page."""
    if fmt == "csv":
        return write_csv(COLUMNS, rows(session, filters, as_text=True), handle, convert=False)
    return write_xlsx(COLUMNS, rows(session, filters), handle, title="救助帮扶衔接台账")


def record_export(session: Session, count: int, fmt: str, filters: ExportFilters, *, actor=None,
                  region_code: str | None = None, via: str = "web") -> None:
    """The 安全日志 row for a ledger export: who (None from the command line), which part, how many rows.
    `region_code` is the exported division, so its own staff see who took their ledger."""
    from ..security import events

    period = {"from": filters.date_from.isoformat() if filters.date_from else None,
              "to": filters.date_to.isoformat() if filters.date_to else None}
    events.record(session, "export", actor=actor, region_code=region_code, rows=count, what=TITLE, format=fmt,
                  via=via, region=filters.region or "全部", **{k: v for k, v in period.items() if v})
