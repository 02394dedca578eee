"""Registration and vetting (组织审核) of organisations. Services flush, never commit."""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .. import paging
from ..auth.models import AppUser
from ..auth.service import create_user
from ..errors import Conflict, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..notify import emitters as notify
from ..paging import Page, PageRequest
from ..privacy.pii_scan import scan
from ..privacy.vault import Vault
from ..recommend import profile
from ..regions.models import Region
from ..vocabulary import DEPARTMENTS, ORG_KINDS, ORG_STATUSES, label
from . import uscc
from .access import ADMIN, may_see_contact, require_vetter
from .models import Organization, OrganizationHistory

HOME_LEVELS = ("county", "township")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


@dataclass(frozen=True)
class Registration:
    name: str
    kind: str
    uscc: str
    region_code: str
    contact_name: str
    contact_phone: str
    email: str
    display_name: str
    password: str
    categories: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    department: str | None = None  # vocabulary.DEPARTMENTS, required for kind "government" (政府部门)


def register(session: Session, vault: Vault, data: Registration) -> tuple[Organization, AppUser]:
    """A new organisation, pending vetting, and its first administrator's account."""
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 128:
        raise Invalid(_("请填写组织全称（2至128字）。"), "name")
    if data.kind not in ORG_KINDS:
        raise Invalid(_("请选择组织类型。"), "kind")
    department = data.department or None
    if data.kind == "government" and department not in DEPARTMENTS:
        raise Invalid(_("政府部门须选择所属部门（如教育、卫健与医保、残联）。"), "department")
    if data.kind != "government":
        department = None  # only departments have one; a charity that picked one by mistake keeps none
    code = uscc.check(data.uscc)
    if session.scalar(select(func.count()).select_from(Organization).where(Organization.uscc == code)):
        raise Invalid(_("该统一社会信用代码已登记。同一组织只能登记一次；如需加入，请向本组织管理员索取邀请链接。"),
                      "uscc")
    home = session.get(Region, (data.region_code or "").strip())
    if home is None or home.level not in HOME_LEVELS or not home.current:
        raise Invalid(_("请选择组织所在的县（区）或乡镇。"), "region_code")
    contact_name = (data.contact_name or "").strip()
    if not 2 <= len(contact_name) <= 64:
        raise Invalid(_("请填写联系人姓名（2至64字）。"), "contact_name")
    phone = re.sub(r"[\s()（）]", "", data.contact_phone or "")
    if not _PHONE.match(phone):
        raise Invalid(_("请填写有效的联系电话：11位手机号，或带区号的固定电话，如 0558-7212345。"), "contact_phone")
    org = Organization(name=name, uscc=code, kind=data.kind, department=department, region_code=home.code,
                       status="pending",
                       contact_name_enc=vault.encrypt(contact_name), contact_phone_enc=vault.encrypt(phone))
    session.add(org)
    try:
        session.flush()
    except IntegrityError as error:
        # Two registrations of one code at the same moment: the unique index decides; the request rolls back.
        raise Conflict(_("该统一社会信用代码刚刚已被登记。同一组织只能登记一次；如需加入，请向本组织管理员索取邀请链接。")) \
            from error
    admin = create_user(session, email=data.email, password=data.password, display_name=data.display_name,
                        role="charity", organization_id=org.id)
    admin.org_role = ADMIN
    # The same checks the 服务意向 page applies, so both paths store only real categories and places.
    profile.save(session, admin, list(data.categories), list(data.regions))
    session.add(OrganizationHistory(organization_id=org.id, actor_id=admin.id, to_status="pending",
                                    reason=REGISTERED))
    session.flush()
    return org, admin


# The reason stored on the registration's history row: Chinese data, translated where shown (vetting_detail).
REGISTERED = N_("提交登记申请")

# action: (statuses it applies to, resulting status, reason required)
DECISIONS = {
    "approve": (("pending",), "approved", False),
    "reject": (("pending",), "rejected", True),
    "suspend": (("approved",), "suspended", True),
    "reinstate": (("suspended",), "approved", True),
}
# Names of the decisions, shown as buttons and inside messages: translated where shown (`label`, `_()`).
DECISION_LABELS = {"approve": N_("通过审核"), "reject": N_("不予通过"), "suspend": N_("暂停"), "reinstate": N_("恢复")}
MIN_REASON, MAX_REASON = 4, 500


def decide(session: Session, actor, org: Organization, action: str, reason: str | None = None) -> Organization:
    """Move the organisation by one vetting decision and record it. The UPDATE is conditional on the
    status the staff member saw, so two decisions at once cannot both apply."""
    require_vetter(actor, org)
    if action not in DECISIONS:
        raise Invalid(_("未知的审核操作。"))
    sources, target, needs_reason = DECISIONS[action]
    reason = (reason or "").strip() or None
    if needs_reason and (reason is None or not MIN_REASON <= len(reason) <= MAX_REASON):
        raise Invalid(_("请填写%(action)s的原因（%(min)s至%(max)s字），该原因会告知组织成员。",
                        action=label(DECISION_LABELS, action), min=MIN_REASON, max=MAX_REASON), "reason")
    if reason and len(reason) > MAX_REASON:
        raise Invalid(_("说明不能超过%(max)s字。", max=MAX_REASON), "reason")
    scan({"reason": reason}, labels={"reason": _("%(action)s原因", action=label(DECISION_LABELS, action))})  # mailed to its members
    current = org.status
    if current not in sources:
        raise Conflict(_("该组织当前为「%(status)s」，不能%(action)s。", status=label(ORG_STATUSES, current),
                                action=label(DECISION_LABELS, action)))
    # A rejection or suspension explains itself to the members; approval clears the old explanation.
    shown = reason if target in ("rejected", "suspended") else None
    result = session.execute(update(Organization)
                             .where(Organization.id == org.id, Organization.status == current)
                             .values(status=target, status_reason=shown))
    if result.rowcount != 1:
        raise Conflict(_("该组织的状态刚被其他工作人员修改，请刷新后重试。"))
    session.add(OrganizationHistory(organization_id=org.id, actor_id=actor.id, from_status=current,
                                    to_status=target, reason=reason, at=utcnow()))
    session.flush()
    session.refresh(org)
    notify.org_decided(session, org, action, reason)  # mail to its administrators, sent after commit
    return org


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None


def contact_of(actor, org: Organization, vault: Vault) -> Contact | None:
    """The contact person in the clear, for those allowed to see it; None for everyone else."""
    if not may_see_contact(actor, org):
        return None
    return Contact(vault.decrypt(org.contact_name_enc), vault.decrypt(org.contact_phone_enc))


def history(session: Session, org: Organization) -> list[tuple[OrganizationHistory, str | None]]:
    query = (select(OrganizationHistory, AppUser.display_name)
             .outerjoin(AppUser, AppUser.id == OrganizationHistory.actor_id)
             .where(OrganizationHistory.organization_id == org.id)
             .order_by(OrganizationHistory.at, OrganizationHistory.id))
    return [(row, name) for row, name in session.execute(query)]


def for_vetting(session: Session, actor, want: PageRequest = PageRequest(), *, status: str = "", kind: str = "",
                q: str = "") -> Page:
    """The organisations whose home region lies in the staff member's subtree, filtered, newest first."""
    from ..auth.access import in_scope_sql, require_duty

    require_duty(actor, "org_vetting")
    query = select(Organization).where(in_scope_sql(actor, Organization.region_code))
    if status in ORG_STATUSES:
        query = query.where(Organization.status == status)
    if kind in ORG_KINDS:
        query = query.where(Organization.kind == kind)
    if q.strip():
        text = q.strip()
        query = query.where(Organization.name.contains(text, autoescape=True) | (Organization.uscc == text.upper()))
    return paging.counted(session, query.order_by(Organization.created_at.desc(), Organization.id.desc()), want,
                          scalars=True)


def status_counts(session: Session, actor) -> dict[str, int]:
    from ..auth.access import in_scope_sql

    query = (select(Organization.status, func.count()).group_by(Organization.status)
             .where(in_scope_sql(actor, Organization.region_code)))
    return dict(session.execute(query).all())
