"""Evidence fitting the need (issue 14): which figures each need form asks for, the checks on them, and the
parts of a submission that claims and pledges share (required files, the household's confirmation code).

A figure that does not belong to the need's form is dropped here, in the service, whatever a form or an API
caller posted: a money need's evidence carries no quantity or hours, so none can reach the chain."""

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from ..confirmation import service as confirmation
from ..errors import Invalid
from ..evidence import service as evidence_files
from ..evidence.roles import ROLES
from ..i18n import N_, _, _l
from ..privacy.pii_scan import scan_for_household
from ..volunteering.models import HoursEntry, Shift

# Who accepted a retrofit (验收方).
ACCEPTANCE = {"household": N_("受助方"), "village": N_("村（居）委会"), "third_party": N_("第三方机构"),
              "staff": N_("民政工作人员")}

# The figures each form stores; every other figure of the evidence is None.
FIGURES = {
    "money": ("amount_fen",),
    "goods": ("quantity", "item"),
    "service": ("service_from", "hours"),
    "retrofit": ("amount_fen", "acceptance", "acceptance_note"),
}
ALL_FIGURES = ("amount_fen", "quantity", "hours", "service_from", "item", "acceptance", "acceptance_note")

# What the date of the evidence means for each form.
# Lazy: form labels, set on the bound field when the page is built (here and in pledges/forms.py).
DATE_LABELS = {"money": _l("支付日期"), "goods": _l("交付日期"), "service": _l("最后服务日期"), "retrofit": _l("完工日期")}
AMOUNT_LABELS = {"money": _l("实际支付金额（元）"), "retrofit": _l("改造实际花费（元）")}

_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Figures:
    amount_fen: int | None = None
    quantity: int | None = None
    hours: float | None = None
    service_from: date | None = None
    item: str | None = None
    acceptance: str | None = None
    acceptance_note: str | None = None

    def columns(self) -> dict:
        return asdict(self)


def fitted(session: Session, need, data, delivered_on: date, earliest: date) -> Figures:
    """The figures of `data` (anything with the ALL_FIGURES attributes) that the need's form uses, checked;
    the rest are dropped. `earliest` is the first day the work could have begun (the claim's date)."""
    kept = {name: getattr(data, name, None) for name in FIGURES.get(need.form, ())}
    if "amount_fen" in kept and not (kept["amount_fen"] and kept["amount_fen"] > 0):
        raise Invalid(_("资金类需求须填写实际支付金额。") if need.form == "money" else _("改造类需求须填写改造实际花费。"),
                      "amount")
    if need.form == "goods":
        if not (kept["quantity"] and kept["quantity"] > 0):
            raise Invalid(_("物资类需求须填写实际交付数量。"), "quantity")
        item = (kept["item"] or "").strip() or need.title[:60]  # what the need asked for, unless told otherwise
        if len(item) > 60:
            raise Invalid(_("交付物品不能超过60字。"), "item")
        scan_for_household(session, need.household_id, {"item": item}, labels={"item": _("交付物品")})
        kept["item"] = item
    if need.form == "service":
        if not (kept["hours"] and kept["hours"] > 0):
            raise Invalid(_("服务类需求须填写服务时长（小时）。"), "hours")
        first = kept["service_from"] or delivered_on
        if first > delivered_on:
            raise Invalid(_("首次服务日期不能晚于最后服务日期。"), "service_from")
        if first < earliest:
            raise Invalid(_("首次服务日期不能早于认领日期。"), "service_from")
        if kept["hours"] > ((delivered_on - first).days + 1) * 24:
            raise Invalid(_("服务时长超过了服务期间的总小时数，请核对。"), "hours")
        kept["service_from"] = first
    if need.form == "retrofit":
        if kept["acceptance"] not in ACCEPTANCE:
            raise Invalid(_("请选择由谁验收（受助方、村（居）委会、第三方机构或民政工作人员）。"), "acceptance")
        note = (kept["acceptance_note"] or "").strip() or None
        if note and len(note) > 200:
            raise Invalid(_("验收说明不能超过200字。"), "acceptance_note")
        if note:
            scan_for_household(session, need.household_id, {"acceptance_note": note},
                               labels={"acceptance_note": _("验收说明")})
        kept["acceptance_note"] = note
    return Figures(**kept)


def chain_figures(form: str, evidence) -> dict:
    """amount_fen, quantity and hours of stored evidence as the chain takes them: only the form's own (evidence
    submitted before figures were fitted to the form may still carry others)."""
    own = FIGURES.get(form, ())
    return {name: getattr(evidence, name) if name in own else None for name in ("amount_fen", "quantity", "hours")}


def require_files(session: Session, need, *, claim=None, pledge=None) -> None:
    missing = evidence_files.missing_roles(session, need, claim=claim, pledge=pledge)
    if missing:
        names = _("、").join(_(ROLES[r]) if r in ROLES else r for r in missing)
        raise Invalid(_("还缺少：%(roles)s。请上传后再提交。", roles=names), "files")


def normal_code(raw: str | None) -> str | None:
    """The 6-digit code as typed ("123 456" too), None when left empty; refused when it is not 6 digits."""
    code = re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", raw or ""))  # full-width digits from an IME too
    if not code:
        return None
    if not _CODE.fullmatch(code):
        raise Invalid(_("受助方确认码是送达回执上的6位数字。"), "confirmation_code")
    return code


def enter_code(session: Session, actor, code: str | None, *, claim=None, pledge=None) -> None:
    """The household's code, given with the evidence; a wrong one raises Invalid on confirmation_code, so the
    submission it came with is refused as a whole."""
    if code is not None:
        confirmation.enter_code(session, actor, claim=claim, pledge=pledge, code=code)


@dataclass(frozen=True)
class Attendance:
    minutes: int
    first: date
    last: date

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def attendance(session: Session, need) -> Attendance | None:
    """The volunteers' recorded time on the need's shifts (pending or approved, not declined): what the
    service evidence's dates and hours default to."""
    row = session.execute(select(func.sum(HoursEntry.minutes), func.min(Shift.date), func.max(Shift.date))
                          .join(Shift, Shift.id == HoursEntry.shift_id)
                          .where(Shift.need_id == need.id, HoursEntry.status.in_(("pending", "approved")))).one()
    if not row[0]:
        return None
    return Attendance(int(row[0]), row[1], row[2])
