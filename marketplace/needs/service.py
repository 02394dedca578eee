"""Posting, publishing, cancelling and expiring needs. Services flush and never commit."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlmodel import Session

from .. import paging
from ..auth.access import found, in_scope_sql, require_staff_for
from ..duplicates import goods_kinds
from ..duplicates.check import DuplicateWarning, Proposed, check, describe, normalise_item
from ..errors import Conflict, Invalid
from ..i18n import N_, _, is_english
from ..paging import Page, PageRequest
from ..privacy.vault import Vault
from ..registry.models import Household
from ..vocabulary import AGE_BANDS, CATEGORIES, CONTACT_BASES, FORMS, NEED_SOURCES, URGENCIES
from . import lifecycle, privacy
from .models import Need

MAX_DEADLINE_DAYS = 366
MAX_PERIOD_DAYS = 3660
MIN_OVERRIDE = 4
# A member is named by role, never by name: 户主, 配偶, 子女1, 父亲, 孙子女2 ...
MEMBER_ROLES = ("户主", "配偶", "子女", "父亲", "母亲", "父母", "祖父", "祖母", "外祖父", "外祖母", "孙子女",
                "兄弟姐妹", "其他成员", "成员")
_MEMBER = re.compile(f"(?:{'|'.join(MEMBER_ROLES)})(?:[1-9][0-9]?)?")
# The same roles in English, for staff working in English (stored, and compared, as the Chinese role).
MEMBER_ROLES_EN = {"head": "户主", "spouse": "配偶", "child": "子女", "father": "父亲", "mother": "母亲",
                   "parents": "父母", "grandfather": "祖父", "grandmother": "祖母", "grandchild": "孙子女",
                   "sibling": "兄弟姐妹", "othermember": "其他成员", "member": "成员"}
_MEMBER_EN = re.compile(f"({'|'.join(sorted(MEMBER_ROLES_EN, key=len, reverse=True))})([1-9][0-9]?)?")
# Reasons the system writes into a need's history (shown on the staff page, translated when shown).
EXPIRED_REASON = N_("截止日期已过，无人认领")
EXPIRED_PLEDGE_REASON = N_("需求已过截止日期")
CANCELLED_PREFIX = "需求已撤销："  # + the staff's reason: a claim's or pledge's end reason when its need is withdrawn


@dataclass
class NeedInput:
    category: str
    form: str
    title: str
    description: str
    urgency: str
    deadline: date
    target_amount_fen: int | None = None
    target_quantity: int | None = None
    unit: str | None = None
    contact_basis: str = "none"
    age_band: str | None = None
    # Facts the duplicate rules compare (see duplicates/), and the reason to post despite a warning.
    period_start: date | None = None
    period_end: date | None = None
    member_ref: str | None = None
    item_key: str | None = None
    override_reason: str | None = None
    # How civil affairs learned of it (vocabulary.NEED_SOURCES). The form and the import require it; None is
    # left to callers that predate it (tests, scripts) and stores "" (未记录).
    source: str | None = None

    def clean(self) -> None:
        self.member_ref = _member_role(re.sub(r"[\s\u3000]+", "", self.member_ref or "")) or None
        self.item_key = normalise_item(self.item_key)
        if not self.item_key and "goods" in (self.category, self.form):
            # The goods rule compares items: one nobody named is read from the title (电暖器 → 取暖).
            self.item_key = goods_kinds.kind_of(self.title)
        self.override_reason = (self.override_reason or "").strip() or None
        # A browser sends a textarea's line breaks as CRLF; counted and stored as one character, as typed.
        self.description = (self.description or "").replace("\r\n", "\n")


def _member_role(text: str) -> str:
    """A member typed in English ("spouse", "Child 1") as the Chinese role the duplicate rules compare."""
    match = _MEMBER_EN.fullmatch(text.lower())
    return MEMBER_ROLES_EN[match.group(1)] + (match.group(2) or "") if match else text


_MEMBER_SHOWN_EN = {**{role: word for word, role in MEMBER_ROLES_EN.items()}, "其他成员": "other member",
                    "外祖父": "maternal grandfather", "外祖母": "maternal grandmother"}
_MEMBER_SHOWN = re.compile(f"({'|'.join(sorted(_MEMBER_SHOWN_EN, key=len, reverse=True))})([1-9][0-9]?)?")


def member_shown(ref: str | None) -> str:
    """A stored member role as the reader reads it: 子女1, or "child1" in English."""
    if not ref or not is_english():
        return ref or ""
    match = _MEMBER_SHOWN.fullmatch(ref)
    return _MEMBER_SHOWN_EN[match.group(1)] + (match.group(2) or "") if match else ref


def reason_shown(text: str | None) -> str:
    """A reason stored in Chinese (history, a claim's or pledge's end) in the reader's language where the
    system wrote it: its fixed reasons, and the prefix of a withdrawal; what people typed stays as typed."""
    if not text:
        return ""
    if text.startswith(CANCELLED_PREFIX):
        return _("需求已撤销：%(reason)s", reason=text[len(CANCELLED_PREFIX):])
    return _(text)


def _validate_facts(data: NeedInput) -> None:
    if (data.period_start is None) != (data.period_end is None):
        raise Invalid(_("帮扶时段的开始和结束日期须同时填写（或都不填）。"), "period_end")
    if data.period_start and data.period_end:
        if data.period_end < data.period_start:
            raise Invalid(_("帮扶时段的结束日期不能早于开始日期。"), "period_end")
        if (data.period_end - data.period_start).days > MAX_PERIOD_DAYS:
            raise Invalid(_("帮扶时段不能超过10年。"), "period_end")
    if data.member_ref and not _MEMBER.fullmatch(data.member_ref):
        raise Invalid(_("受助成员请按家庭关系填写（如：户主、配偶、子女1、父亲），不得填写姓名。"), "member_ref")
    if data.item_key and len(data.item_key) > 40:
        raise Invalid(_("物品名称不能超过40个字。"), "item_key")
    if data.override_reason and len(data.override_reason) > 400:
        raise Invalid(_("一事一议理由不能超过400字。"), "override_reason")


def validate(data: NeedInput, today: date, identity: privacy.Identity | None = None) -> None:
    data.clean()
    if data.category not in CATEGORIES:
        raise Invalid(_("请选择有效的需求类别。"), "category")
    if data.form not in FORMS:
        raise Invalid(_("请选择有效的需求形式。"), "form")
    if data.urgency not in URGENCIES:
        raise Invalid(_("请选择有效的紧急程度。"), "urgency")
    if data.source is not None and data.source not in NEED_SOURCES:
        raise Invalid(_("请选择需求来源（如窗口受理、入户走访）。"), "source")
    title = (data.title or "").strip()
    if not 4 <= len(title) <= 80:
        raise Invalid(_("标题须为4至80个字。"), "title")
    if len(data.description or "") > 2000:
        raise Invalid(_("需求描述最多2000字，当前%(count)s字。", count=len(data.description)), "description")
    if data.deadline <= today:
        raise Invalid(_("截止日期须晚于今天。"), "deadline")
    if data.deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise Invalid(_("截止日期不能超过一年。"), "deadline")
    if data.form == "money" and not (data.target_amount_fen and data.target_amount_fen > 0):
        raise Invalid(_("资金类需求须填写大于0的目标金额。"), "target_amount")
    if data.form == "goods":
        if not (data.target_quantity and data.target_quantity > 0):
            raise Invalid(_("物资类需求须填写大于0的数量。"), "target_quantity")
        if not (data.unit or "").strip():
            raise Invalid(_("物资类需求须填写计量单位（如：件、袋、台）。"), "unit")
    if data.contact_basis not in CONTACT_BASES:
        raise Invalid(_("请选择联系方式的共享依据。"), "contact_basis")
    if data.age_band is not None and data.age_band not in AGE_BANDS:
        raise Invalid(_("请选择有效的受助人年龄段。"), "age_band")
    if data.age_band == "minor" and data.contact_basis == "household_consent":
        raise Invalid(_("受助人是未成年人：共享联系方式须取得监护人同意。"), "contact_basis")
    _validate_facts(data)
    privacy.scan({"title": title, "description": data.description or "", "item_key": data.item_key or "",
                  "override_reason": data.override_reason or ""}, identity)


def create_need(session: Session, actor, household: Household, data: NeedInput, *, publish: bool,
                today: date | None = None, vault: Vault | None = None, import_key: str | None = None) -> Need:
    """`vault` decrypts the household's name and address so the public text can be checked against them.
    Aid that may duplicate the household's chain or live needs raises DuplicateWarning unless
    `data.override_reason` (一事一议) is given; the reason is kept on the need and in its history."""
    require_staff_for(actor, household.region_code, duty="need_posting")
    if household.status != "active":
        raise Invalid(_("该户已退出救助名单，不能发布新需求。"), "household")
    today = today or date.today()
    validate(data, today, privacy.Identity.of(household, vault))
    matches = check(session, household, Proposed(
        category=data.category, period_start=data.period_start, period_end=data.period_end,
        member_ref=data.member_ref, item_key=data.item_key, deadline=data.deadline), today)
    if matches and not data.override_reason:
        raise DuplicateWarning(matches)
    if matches and len(data.override_reason) < MIN_OVERRIDE:
        raise Invalid(_("一事一议理由须至少%(min)s个字。", min=MIN_OVERRIDE), "override_reason")
    override = data.override_reason if matches else None
    need = Need(
        household_id=household.id,
        region_code=household.region_code,
        category=data.category,
        form=data.form,
        title=data.title.strip(),
        description=(data.description or "").strip(),
        urgency=data.urgency,
        deadline=data.deadline,
        target_amount_fen=data.target_amount_fen,
        target_quantity=data.target_quantity,
        unit=(data.unit or "").strip() or None,
        contact_basis=data.contact_basis,
        age_band=data.age_band,
        period_start=data.period_start,
        period_end=data.period_end,
        member_ref=data.member_ref,
        item_key=data.item_key,
        override_reason=override,
        import_key=import_key,
        source=data.source or "",
        created_by_id=actor.id,
        status="draft",
    )
    session.add(need)
    session.flush()
    if override:
        # Stored: the history keeps one language whoever posted, so the matches are described in Chinese.
        with force_locale("zh_CN"):
            listed = describe(matches)
        why = f"一事一议：{override}（可能重复：{listed}）"[:500]
    else:
        why = None
    lifecycle.record_creation(session, need, actor.id, why)
    session.flush()
    if publish:
        lifecycle.move(session, need, "publish", actor.id)
        _route(session, need, actor.id)
    return need


def _route(session: Session, need: Need, actor_id: int | None) -> None:
    """分类推送: a published need goes first to the department a routing rule names (routing/service.py)."""
    from ..routing.service import route

    route(session, need, actor_id)


def publish(session: Session, actor, need: Need) -> Need:
    require_staff_for(actor, need.region_code, duty="need_posting")
    if need.deadline <= date.today():
        raise Invalid(_("截止日期已过，请先修改截止日期再发布。"), "deadline")
    if not need.override_reason:  # aid may have been given since the draft was saved
        household = session.get(Household, need.household_id)
        if matches := check(session, household, Proposed.of_need(need, exclude_need_id=need.id)):
            raise DuplicateWarning(matches)
    lifecycle.move(session, need, "publish", actor.id)
    _route(session, need, actor.id)
    return need


def cancel(session: Session, actor, need: Need, reason: str) -> Need:
    require_staff_for(actor, need.region_code, duty="need_posting")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("撤销需求须填写原因。"), "reason")
    privacy.scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("撤销原因")})
    from ..claims.service import end_active_claims
    from ..pledges.service import end_open_pledges

    end_active_claims(session, need, "cancelled", f"{CANCELLED_PREFIX}{reason}")
    end_open_pledges(session, need, f"{CANCELLED_PREFIX}{reason}")
    return lifecycle.move(session, need, "cancel", actor.id, reason)


def expire_overdue(session: Session, today: date) -> int:
    """Open needs whose deadline has passed become expired (run by the worker)."""
    overdue = session.scalars(select(Need).where(Need.status == "open", Need.deadline < today)).all()
    expired = 0
    from ..pledges.service import end_open_pledges

    for need in overdue:
        try:
            lifecycle.move(session, need, "expire", None, EXPIRED_REASON)
            end_open_pledges(session, need, EXPIRED_PLEDGE_REASON)
            expired += 1
        except Conflict:
            continue  # claimed meanwhile: the claim wins, nothing was written for this need
    return expired


def get_need(session: Session, need_id: int) -> Need:
    return found(session.get(Need, need_id), N_("需求"))


def for_staff(session: Session, actor, want: PageRequest, *, status: str = "") -> Page:
    """需求管理: the needs of the staff member's region subtree, last changed first."""
    require_staff_for(actor, actor.region_code)

    def listed(lead: str):
        query = select(Need).where(in_scope_sql(actor, paging.leading(session, Need.region_code, lead, paging.SCOPE)))
        if status:
            query = query.where(paging.leading(session, Need.status, lead) == status)
        return query.order_by(Need.updated_at.desc(), Need.id.desc())

    rows = session.scalar(select(func.max(Need.id))) or 0
    return paging.counted_in_scope(session, listed, want, rows_in_table=rows, scalars=True)
