"""Reading the security log (安全日志): the events of the reader's region subtree, filtered in SQL, as page
rows and as CSV rows. Times are shown and filtered in China time; the database keeps UTC."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..auth.access import require_staff_for, scope_prefix
from ..auth.models import AppUser
from ..duplicates.rules import KINDS as RULE_KINDS
from ..errors import Invalid
from ..i18n import N_, _, translate
from ..regions.models import Region
from ..spreadsheets import Column, fit
from ..vocabulary import CATEGORIES
from .events import KINDS, OUTCOMES
from .models import SecurityEvent

CHINA = ZoneInfo("Asia/Shanghai")
ANONYMOUS = N_("匿名")
MAX_PAGE = 100_000  # beyond any real log; keeps the OFFSET inside a 64-bit integer

# The CSV stays Chinese throughout (headers and cells), one consistent file whoever downloads it.
COLUMNS = [Column(h, fit(h, w)) for h, w in (
    ("时间", 19), ("事件", 12), ("结果", 4), ("操作人", 30), ("涉及账号", 30), ("地区", 10), ("IP", 15),
    ("路径", 24), ("行数", 6), ("详情", 40))]


@dataclass(frozen=True)
class LogFilters:
    kind: str = ""
    outcome: str = ""
    actor: str = ""  # part of the actor's e-mail address
    date_from: date | None = None  # China dates, both inclusive
    date_to: date | None = None
    page: int = 1

    @classmethod
    def parse(cls, args) -> "LogFilters":
        """Unknown kinds and outcomes are refused by name, like bad dates: a silent "all" would mislead."""
        kind = (args.get("kind") or "").strip()
        if kind and kind not in KINDS:
            raise Invalid(_("请选择有效的事件类型。"), "kind")
        outcome = (args.get("outcome") or "").strip()
        if outcome and outcome not in OUTCOMES:
            raise Invalid(_("请选择有效的结果。"), "outcome")
        date_from, date_to = _date(args.get("from"), "from"), _date(args.get("to"), "to")
        if date_from and date_to and date_from > date_to:
            raise Invalid(_("开始日期不能晚于结束日期。"), "from")
        page = (args.get("page") or "1").strip()
        page = min(int(page), MAX_PAGE) if page.isdigit() and len(page) < 10 and int(page) >= 1 else 1
        return cls(kind, outcome, (args.get("actor") or "").strip().lower()[:100], date_from, date_to, page)

    def args(self, **override) -> dict:
        values = {"kind": self.kind, "outcome": self.outcome, "actor": self.actor,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else ""}
        values.update(override)
        return {k: v for k, v in values.items() if v}

    def summary(self) -> dict:
        """The filters as codes and dates for the export event (the e-mail fragment is left out)."""
        values = {"filter_kind": self.kind, "filter_outcome": self.outcome,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "actor_filter": bool(self.actor)}
        return {k: v for k, v in values.items() if v}


def _date(raw: str | None, name: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(_("日期格式应为 YYYY-MM-DD：%(value)s", value=raw[:20]), name) from exc


def china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA)


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime  # China time
    kind: str
    outcome: str
    actor: str
    subject: str
    region: str
    ip: str
    path: str
    rows: int | None
    detail: str  # in Chinese, as the CSV has it
    facts: dict | None = None  # the event's detail, for the page's line in the reader's language

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)

    # The page's cells in the reader's language (the CSV keeps the Chinese above).
    @property
    def kind_shown(self) -> str:
        return translate(self.kind_label)

    @property
    def outcome_shown(self) -> str:
        return translate(self.outcome_label)

    @property
    def actor_shown(self) -> str:
        return translate(self.actor) if self.actor == ANONYMOUS else self.actor

    @property
    def detail_shown(self) -> str:
        return detail_text(self.facts, shown=True)

    def csv_row(self) -> tuple:
        return (self.at.strftime("%Y-%m-%d %H:%M:%S"), self.kind_label, self.outcome_label, self.actor,
                self.subject, self.region, self.ip, self.path, self.rows, self.detail)


def _query(actor, filters: LogFilters, upto: int | None = None):
    """The reader's subtree (a code range the region_code index answers), then the filters."""
    require_staff_for(actor, actor.region_code)
    who, subject = aliased(AppUser), aliased(AppUser)
    prefix = scope_prefix(actor.region_code)
    upper = str(int(prefix) + 1).zfill(len(prefix))
    conditions = [SecurityEvent.region_code >= prefix, SecurityEvent.region_code < upper]
    if filters.kind:
        conditions.append(SecurityEvent.kind == filters.kind)
    if filters.outcome:
        conditions.append(SecurityEvent.outcome == filters.outcome)
    if filters.actor:
        conditions.append(who.email.contains(filters.actor, autoescape=True))
    if filters.date_from:
        conditions.append(SecurityEvent.at >= china_midnight(filters.date_from))
    if filters.date_to:
        conditions.append(SecurityEvent.at < china_midnight(filters.date_to + timedelta(days=1)))
    if upto is not None:
        conditions.append(SecurityEvent.id <= upto)
    return (select(SecurityEvent, who.display_name, who.email, subject.display_name, subject.email, Region.name)
            .outerjoin(who, who.id == SecurityEvent.actor_id)
            .outerjoin(subject, subject.id == SecurityEvent.subject_user_id)
            .outerjoin(Region, Region.code == SecurityEvent.region_code)
            .where(and_(*conditions)))


def _line(event: SecurityEvent, actor_name, actor_email, subject_name, subject_email, region_name) -> LogLine:
    return LogLine(event.id, event.at.astimezone(CHINA), event.kind, event.outcome,
                   _person(actor_name, actor_email) or ANONYMOUS, _person(subject_name, subject_email),
                   region_name or event.region_code or "", event.ip or "", event.path or "", event.rows,
                   detail_text(event.detail), event.detail)


def _person(name: str | None, email: str | None) -> str:
    return f"{name}（{email}）" if email else ""


def page_of(session: Session, actor, filters: LogFilters, per_page: int) -> tuple[list[LogLine], int]:
    """Newest first."""
    query = _query(actor, filters)
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(SecurityEvent.id).subquery()))
    result = session.execute(query.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
                             .offset((filters.page - 1) * per_page).limit(per_page))
    return [_line(*row) for row in result], total


def export_bound(session: Session, actor, filters: LogFilters) -> tuple[int, int]:
    """The newest event id and the count of matching rows up to it: the CSV streams exactly those rows,
    so the export event (written before the file) states the real count and never lists itself."""
    upto = session.scalar(select(func.max(SecurityEvent.id))) or 0
    query = _query(actor, filters, upto).with_only_columns(SecurityEvent.id)
    return upto, session.scalar(select(func.count()).select_from(query.subquery()))


def iter_rows(session: Session, actor, filters: LogFilters, upto: int, chunk: int = 1000) -> Iterator[tuple]:
    query = _query(actor, filters, upto).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
    for row in session.execute(query.execution_options(yield_per=chunk)):
        yield _line(*row).csv_row()


# How a detail key reads on the page; values that are codes get their label (Chinese data, translated
# when shown).
_DETAIL_LABELS = {
    "what": N_("内容"), "format": N_("格式"), "via": N_("方式"), "region": N_("地区"), "from": N_("起"), "to": N_("止"),
    "job": N_("导入任务"), "category": N_("类别"), "changed": N_("变更"), "rule_kind": N_("规则类型"),
    "window_days": N_("时间窗口（天）"), "active": N_("启用"), "groups": N_("同义词组数"),
    "previous_groups": N_("原组数"), "imported": N_("新增"), "updated": N_("更新"), "unchanged": N_("未变"),
    "rejected": N_("拒绝"), "dry_run": N_("试运行"), "reason": N_("原因"), "filter_kind": N_("事件"),
    "filter_outcome": N_("结果"), "actor_filter": N_("按操作人筛选"), "organization": N_("组织编号"),
    "snapshot": N_("统计时间"),  # a report table downloaded from the worker's snapshot (reports/snapshots.py)
    "aid_item": N_("救助项目"), "goods_kind": N_("物资种类"), "recategorised": N_("重新归类记录"),
    "remaining": N_("待归类记录"),
}
_CHANGED_LABELS = {"kind": N_("规则类型"), "window_days": N_("时间窗口"), "active": N_("启用"),
                   "explanation": N_("说明")}
_VALUE_LABELS = {"via": {"cli": N_("命令行"), "web": N_("网页")}, "category": CATEGORIES, "filter_kind": KINDS,
                 "rule_kind": RULE_KINDS, "filter_outcome": OUTCOMES}
# Values the system wrote as Chinese names or sentences (a call site's `what=N_(…)`, a refusal's reason):
# shown in English where the catalogue has them, else as stored.
_NAMED_VALUES = ("what", "reason")
DETAIL_MAX = 160


def _same(text: str) -> str:
    return text


def detail_text(detail: dict | None, shown: bool = False) -> str:
    """A short human-readable line: known keys first in a fixed order, the rest as key=value. In Chinese
    (as the CSV has it), or `shown` in the reader's language."""
    if not detail:
        return ""
    tr = translate if shown else _same
    keys = [k for k in _DETAIL_LABELS if k in detail] + sorted(k for k in detail if k not in _DETAIL_LABELS)
    parts = []
    for key in keys:
        value = detail[key]
        if key == "changed":
            value = tr(N_("、")).join(tr(_CHANGED_LABELS.get(v, str(v))) for v in value) or tr(N_("无变化"))
        elif isinstance(value, bool):
            value = tr(N_("是")) if value else tr(N_("否"))
        elif key in _VALUE_LABELS:
            value = tr(_VALUE_LABELS[key].get(value, value))
        elif key in _NAMED_VALUES and isinstance(value, str):
            value = tr(value)
        parts.append(tr(N_("%(label)s：%(value)s")) % {"label": tr(_DETAIL_LABELS.get(key, key)), "value": value})
    text = tr(N_("；")).join(parts)
    return text if len(text) <= DETAIL_MAX else text[:DETAIL_MAX - 1] + "…"
