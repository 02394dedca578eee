"""`marketplace import-needs`: a need list (需求清单) drawn up by township staff, CSV or XLSX, published
as open needs. Reuses the registry importer's file reading, header matching, batching and error report
(registry/importing), so the reporting contract is the same: `imported=N updated=N unchanged=N
rejected=N`, rejected rows with their reasons in the errors CSV.

Every row goes through needs.service.create_need, exactly as a need posted on the page: the acting staff
member's region scope, the privacy scan against the household's own name and address, and the duplicate
check (a row that may duplicate aid is rejected listing the matches, unless its 一事一议理由 is filled).
Rows earlier in the same file count as live needs, so a list cannot duplicate itself.

A row's natural key is (household, category, title, deadline), kept as a keyed digest in need.import_key:
importing the file again finds those rows `unchanged`. `updated` stays 0: a published need is changed by
staff on its page, where the change is recorded, not by a file. A dry run creates the needs inside
transactions it rolls back, so its counts include duplicates between rows of the file."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..auth.access import scope_prefix
from ..auth.models import AppUser
from ..db import transaction
from ..duplicates.check import DuplicateWarning, describe
from ..errors import DomainError
from ..privacy.vault import Vault
from ..registry.importing import values
from ..registry.importing.aid_import import NOT_FOUND
from ..registry.importing.columns import Column, Layout
from ..registry.importing.report import ImportFileError, ImportResult, Rejection
from ..registry.importing.rows import EMPTY
from ..registry.importing.runner import Importer, in_chunks, run
from ..registry.importing.values import FieldError
from ..registry.models import Household
from ..vocabulary import CATEGORIES, FORMS, NEED_SOURCES, URGENCIES
from . import service
from .models import Need

NEED_COLUMNS = (
    Column("household_no", "户编号", ("household_no", "户号", "家庭编号"), required=True),
    Column("category", "需求类别", ("category", "类别"), required=True),
    Column("title", "标题", ("title", "需求标题"), required=True),
    Column("description", "描述", ("description", "需求描述")),
    Column("form", "需求形式", ("form", "形式"), required=True),
    Column("amount", "目标金额", ("amount", "目标金额（元）", "目标金额(元)", "金额")),
    Column("quantity", "数量", ("quantity", "目标数量")),
    Column("unit", "计量单位", ("unit", "单位")),
    Column("deadline", "截止日期", ("deadline", "截止时间"), required=True),
    Column("urgency", "紧急程度", ("urgency",)),
    Column("period_start", "服务开始", ("period_start", "开始日期", "时段开始")),
    Column("period_end", "服务结束", ("period_end", "结束日期", "时段结束")),
    Column("member_ref", "受助成员", ("member_ref", "受助人")),
    Column("item_key", "物品", ("item_key", "物品名称")),
    Column("override_reason", "一事一议理由", ("override_reason", "一事一议")),
    Column("source", "需求来源", ("source", "来源", "需求渠道"), required=True),
)
NEEDS = Layout(NEED_COLUMNS)
_VERSION = "needs-v1"
DEFAULT_UNIT = "件"  # the brief's columns carry no unit; goods rows without one count pieces
# The service's field names, as the file's headers (for the errors CSV).
_FIELD_HEADERS = {"target_amount": "目标金额", "target_quantity": "数量", "household": "户编号",
                  "description": "描述", **{c.key: c.header for c in NEED_COLUMNS}}
_FUTURE_OK = date(9999, 12, 31)  # deadlines and service periods lie ahead: no "later than today" check


def _choice(table: dict[str, str], header: str):
    by_word = {name: code for code, name in table.items()}

    def parse(text: str) -> str:
        code = by_word.get(text) or (text.lower() if text.lower() in table else None)
        if code is None:
            raise FieldError(f"{header}「{text}」无效，应为：{'、'.join(table.values())}（或对应代码）")
        return code

    return parse


def _future_day(header: str):
    return lambda text: values.day(text, header, _FUTURE_OK)


def _quantity(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100000:
        raise FieldError("数量应为1至100000之间的整数")
    return int(text)


class NeedImporter(Importer):
    layout = NEEDS

    def __init__(self, engine: Engine, vault: Vault, *, dry_run: bool, actor_email: str):
        self.engine, self.vault, self.dry_run = engine, vault, dry_run
        self.today = date.today()
        self.seen: dict[str, int] = {}  # import key -> line it first appeared on
        with transaction(engine) as session:
            actor = session.scalars(select(AppUser).where(AppUser.email == (actor_email or "").strip().lower())).first()
            if actor is None or not actor.has_duty("need_posting") or not actor.is_active:
                raise ImportFileError(f"--as 须为启用中、有「需求发布」职责的民政工作人员账号（{actor_email} 不是）。")
            self.actor_id = actor.id
        day = _future_day
        self.parsers = {
            "household_no": lambda v: values.text(v, "户编号", 32),
            "category": _choice(CATEGORIES, "需求类别"), "form": _choice(FORMS, "需求形式"),
            "urgency": _choice(URGENCIES, "紧急程度"), "source": _choice(NEED_SOURCES, "需求来源"), "amount": values.amount_fen, "quantity": _quantity,
            "deadline": day("截止日期"), "period_start": day("服务开始"), "period_end": day("服务结束"),
        }

    def _parse(self, cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
        row, problems = {}, []
        for column in NEED_COLUMNS:
            raw = cells.get(column.key, "")
            if not raw:
                if column.required:
                    problems.append((column.header, EMPTY))
                row[column.key] = None
                continue
            try:
                row[column.key] = self.parsers.get(column.key, lambda v: v)(raw)
            except FieldError as error:
                problems.append((column.header, str(error)))
        return row, problems

    def _write(self, session, parsed) -> list[Rejection]:
        rejections = []
        actor = session.get(AppUser, self.actor_id)
        households = {}
        # Only the actor's own households are looked up: one of another region is answered exactly as
        # one that does not exist, so the file cannot probe what other counties hold.
        scoped = select(Household).where(Household.region_code.startswith(scope_prefix(actor.region_code or "-")))
        for chunk in in_chunks({row["household_no"] for _, _, row in parsed}):
            households.update((h.household_no, h) for h in session.scalars(
                scoped.where(Household.household_no.in_(chunk))))
        keyed = []
        for line, cells, row in parsed:
            household = households.get(row["household_no"])
            if household is None:
                rejections.append(Rejection(line, cells, [("户编号", f"户编号「{row['household_no']}」{NOT_FOUND}")]))
                continue
            key = self.vault.digest(_VERSION, household.id, row["category"], row["title"].strip(),
                                    row["deadline"].isoformat())
            earlier = self.seen.setdefault(key, line)
            if earlier != line:
                rejections.append(Rejection(line, cells, [("标题", f"与第{earlier}行重复（同一户、类别、标题和截止日期）")]))
                continue
            keyed.append((line, cells, row, household, key))
        known = set()
        for chunk in in_chunks([key for *_, key in keyed]):
            known.update(session.scalars(select(Need.import_key).where(Need.import_key.in_(chunk))))
        for line, cells, row, household, key in keyed:
            if key in known:
                self.result.unchanged += 1
                continue
            problem = self._create(session, actor, household, row, key)
            if problem:
                rejections.append(Rejection(line, cells, [problem]))
            else:
                self.result.imported += 1
        return rejections

    def _create(self, session, actor, household, row: dict, key: str) -> tuple[str, str] | None:
        form = row["form"]
        data = service.NeedInput(
            category=row["category"], form=form, title=row["title"], description=row["description"] or "",
            urgency=row["urgency"] or "normal", deadline=row["deadline"], target_amount_fen=row["amount"],
            target_quantity=row["quantity"], unit=row["unit"] or (DEFAULT_UNIT if form == "goods" else None),
            period_start=row["period_start"], period_end=row["period_end"], member_ref=row["member_ref"],
            item_key=row["item_key"], override_reason=row["override_reason"], source=row["source"],
        )
        try:
            # create_need refuses before it writes anything, so a rejected row leaves nothing behind.
            service.create_need(session, actor, household, data, publish=True, today=self.today,
                                vault=self.vault, import_key=key)
        except DuplicateWarning as warning:
            return "需求类别", f"可能重复救助：{describe(warning.matches)}；如确需发布，请填写一事一议理由"
        except DomainError as error:
            return _FIELD_HEADERS.get(error.field or "", "户编号"), error.message
        return None


def import_needs(engine: Engine, vault: Vault, path, *, actor_email: str, dry_run: bool = False, errors_path=None,
                 progress=None) -> ImportResult:
    """Import a need list as open needs posted by `actor_email` (see the module docstring). Raises
    ImportFileError, with nothing written, when the file cannot be read, lacks a required header, or
    the account is not an active staff account."""
    importer = NeedImporter(engine, vault, dry_run=dry_run, actor_email=actor_email)
    return run(importer, path, errors_path=errors_path, progress=progress)
