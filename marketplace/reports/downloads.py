"""Each report list as a table for download (CSV/XLSX), with the same filters as the page. Households
appear by public code, township, tier and flags only."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from ..regions.models import Region
from ..spreadsheets import Column, fit
from ..vocabulary import CATEGORIES, CLAIM_STATUSES, FUNDING, LEDGER_SOURCES, TIERS
from .sections import Report

YUAN = "#,##0.00"


class AreaNames:
    """County · township names, looked up once per code."""

    def __init__(self, session: Session):
        self.session, self.cache = session, {}
        self.names: dict[str, str] | None = None

    def __call__(self, code: str) -> str:
        if code not in self.cache:
            if self.names is None:
                query = select(Region.code, Region.name).where(Region.level.in_(("county", "township")))
                self.names = dict(self.session.execute(query).all())
            parts = [self.names.get(code[:6]), self.names.get(code[:9]) if len(code) >= 9 else None]
            self.cache[code] = " · ".join(p for p in parts if p) or code
        return self.cache[code]


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: Callable[[Report], Iterable[tuple]]  # the report's rows, from its snapshot or live


def _blind_spot_rows(report):
    area = AreaNames(report.session)
    for b in report.iter_blind_spots():
        yield (b.public_code, area(b.region_code), TIERS.get(b.tier, b.tier), "、".join(b.hardships), b.last_aid)


def _unclaimed_rows(report):
    area = AreaNames(report.session)
    rows, _ = report.unclaimed()
    for n in rows:
        yield (n.need_id, n.public_code, area(n.region_code), TIERS.get(n.tier, n.tier),
               CATEGORIES.get(n.category, n.category), n.title, n.published_at.date(), n.days)


def _lapsed_rows(report):
    area = AreaNames(report.session)
    rows, _ = report.lapsed()
    for c in rows:
        yield (c.need_id, c.public_code, area(c.region_code), CATEGORIES.get(c.category, c.category), c.title,
               c.organization or "", c.claimant, c.claimed_at.date(), c.expires_at.date(),
               CLAIM_STATUSES.get(c.status, c.status))


def _cliff_rows(report):
    for t in report.cliff():
        yield (TIERS[t.tier], t.households, t.entries, Decimal(t.amount_fen).scaleb(-2), t.hours,
               round(t.amount_per_household, 2), round(t.entries_per_household, 2))


def _coverage_rows(report):
    area = AreaNames(report.session)
    for c in report.coverage():
        yield (LEDGER_SOURCES.get(c.source, c.source), c.organization, CATEGORIES.get(c.category, c.category),
               area(c.township), c.entries, c.households, Decimal(c.amount_fen).scaleb(-2), c.hours,
               FUNDING.get(c.funding, c.funding))


def _cliff_funding_rows(report):
    for t in report.cliff():
        for funding, entries, amount, hours in t.by_funding:
            yield (TIERS[t.tier], FUNDING.get(funding, funding), entries, Decimal(amount).scaleb(-2), hours)


def _cols(*specs) -> list[Column]:
    return [Column(header, fit(header, typical), fmt) for header, typical, fmt in specs]


TABLES = {
    "blind-spots": Table("救助盲区", _cols(("对象编号", 10, None), ("地区", 26, None), ("救助类别", 16, None),
                                       ("困难情形", 20, None), ("最近一次救助", 10, None)), _blind_spot_rows),
    "unclaimed": Table("超14天无人认领的需求", _cols(
        ("需求编号", 6, None), ("对象编号", 10, None), ("地区", 26, None), ("救助类别", 16, None),
        ("类别", 10, None), ("标题", 30, None), ("发布日期", 10, None), ("已等待天数", 4, "0")), _unclaimed_rows),
    "lapsed-claims": Table("认领后未按期开始", _cols(
        ("需求编号", 6, None), ("对象编号", 10, None), ("地区", 26, None), ("类别", 10, None), ("标题", 30, None),
        ("认领组织", 24, None), ("认领人", 10, None), ("认领日期", 10, None), ("开始期限", 10, None),
        ("状态", 10, None)), _lapsed_rows),
    "cliff": Table("各类对象户均获助", _cols(
        ("救助类别", 16, None), ("户数", 8, "#,##0"), ("救助记录数", 8, "#,##0"), ("金额合计（元）", 14, YUAN),
        ("服务时长合计（小时）", 8, "0.0"), ("户均金额（元）", 10, YUAN), ("户均记录数", 6, "0.00")), _cliff_rows),
    "who-what-where": Table("谁在哪里做什么", _cols(
        ("来源", 8, None), ("帮扶方", 28, None), ("类别", 10, None), ("乡镇", 26, None), ("记录数", 8, "#,##0"),
        ("受助户数", 8, "#,##0"), ("金额（元）", 14, YUAN), ("服务时长（小时）", 8, "0.0"), ("资金来源", 12, None)),
        _coverage_rows),
    "cliff-funding": Table("各类对象按资金来源获助", _cols(
        ("救助类别", 16, None), ("资金来源", 12, None), ("救助记录数", 8, "#,##0"), ("金额合计（元）", 14, YUAN),
        ("服务时长合计（小时）", 8, "0.0")), _cliff_funding_rows),
}
