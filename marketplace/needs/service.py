"""Posting, publishing, cancelling and expiring needs. Services flush and never commit."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import found, require_staff_for
from ..errors import Conflict, Invalid
from ..privacy.vault import Vault
from ..registry.models import Household
from ..vocabulary import AGE_BANDS, CATEGORIES, CONTACT_BASES, FORMS, URGENCIES
from . import lifecycle, privacy
from .models import Need

MAX_DEADLINE_DAYS = 366


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


def validate(data: NeedInput, today: date, identity: privacy.Identity | None = None) -> None:
    if data.category not in CATEGORIES:
        raise Invalid("请选择有效的需求类别。", "category")
    if data.form not in FORMS:
        raise Invalid("请选择有效的需求形式。", "form")
    if data.urgency not in URGENCIES:
        raise Invalid("请选择有效的紧急程度。", "urgency")
    title = (data.title or "").strip()
    if not 4 <= len(title) <= 80:
        raise Invalid("标题须为4至80个字。", "title")
    if len(data.description or "") > 2000:
        raise Invalid("需求描述不能超过2000字。", "description")
    if data.deadline <= today:
        raise Invalid("截止日期须晚于今天。", "deadline")
    if data.deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise Invalid("截止日期不能超过一年。", "deadline")
    if data.form == "money" and not (data.target_amount_fen and data.target_amount_fen > 0):
        raise Invalid("资金类需求须填写大于0的目标金额。", "target_amount")
    if data.form == "goods":
        if not (data.target_quantity and data.target_quantity > 0):
            raise Invalid("物资类需求须填写大于0的数量。", "target_quantity")
        if not (data.unit or "").strip():
            raise Invalid("物资类需求须填写计量单位（如：件、袋、台）。", "unit")
    if data.contact_basis not in CONTACT_BASES:
        raise Invalid("请选择联系方式的共享依据。", "contact_basis")
    if data.age_band is not None and data.age_band not in AGE_BANDS:
        raise Invalid("请选择有效的受助人年龄段。", "age_band")
    if data.age_band == "minor" and data.contact_basis == "household_consent":
        raise Invalid("受助人是未成年人：共享联系方式须取得监护人同意。", "contact_basis")
    privacy.scan({"title": title, "description": data.description or ""}, identity)


def create_need(session: Session, actor, household: Household, data: NeedInput, *, publish: bool,
                today: date | None = None, vault: Vault | None = None) -> Need:
    """`vault` decrypts the household's name and address so the public text can be checked against them."""
    require_staff_for(actor, household.region_code)
    if household.status != "active":
        raise Invalid("该户已退出救助名单，不能发布新需求。", "household")
    validate(data, today or date.today(), privacy.Identity.of(household, vault))
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
        created_by_id=actor.id,
        status="draft",
    )
    session.add(need)
    session.flush()
    lifecycle.record_creation(session, need, actor.id)
    session.flush()
    if publish:
        lifecycle.move(session, need, "publish", actor.id)
    return need


def publish(session: Session, actor, need: Need) -> Need:
    require_staff_for(actor, need.region_code)
    if need.deadline <= date.today():
        raise Invalid("截止日期已过，请先修改截止日期再发布。", "deadline")
    return lifecycle.move(session, need, "publish", actor.id)


def cancel(session: Session, actor, need: Need, reason: str) -> Need:
    require_staff_for(actor, need.region_code)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid("撤销需求须填写原因。", "reason")
    from ..claims.service import end_active_claims

    end_active_claims(session, need, "cancelled", f"需求已撤销：{reason}")
    return lifecycle.move(session, need, "cancel", actor.id, reason)


def expire_overdue(session: Session, today: date) -> int:
    """Open needs whose deadline has passed become expired (run by the worker)."""
    overdue = session.scalars(select(Need).where(Need.status == "open", Need.deadline < today)).all()
    expired = 0
    for need in overdue:
        try:
            lifecycle.move(session, need, "expire", None, "截止日期已过，无人认领")
            expired += 1
        except Conflict:
            continue  # claimed meanwhile: the claim wins, nothing was written for this need
    return expired


def get_need(session: Session, need_id: int) -> Need:
    return found(session.get(Need, need_id), "需求")
