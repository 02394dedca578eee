"""双向转介: a charity member or a volunteer refers a family in hardship to civil affairs; the staff of its
township and county answer within a number of working days; the referrer learns the outcome, never more.

Personal data: the name and phone the referrer gives are ciphertext at rest (privacy.vault) and shown only
to staff in scope, on an explicit, logged action (reveal_contact). Every free text (description, how consent
was given, the reason of a decision) passes the identifier scan, because the referrer reads it back and
reports count it. Services flush, never commit."""

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from ..auth.access import found, in_scope, in_scope_sql, require_role, require_staff_for
from ..db import keep_even_on_rollback
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..i18n import N_, _
from ..modelbase import utcnow
from ..organizations.models import Organization
from ..privacy.pii_scan import Identity, scan
from ..regions.models import Region
from ..registry.models import AccessLog, Household
from ..security.events import client_ip
from ..security.models import SecurityEvent
from ..vocabulary import HARDSHIPS, REFERRAL_OUTCOMES, REFERRAL_STATUSES, label
from . import notices
from .models import FamilyReferral
from .workdays import add_working_days

DEFAULT_DUE_DAYS = 10
NEEDS_REASON = ("ineligible",)
# The security-log kind of a contact shown; see reveal_contact.
CONTACT_EVENT = "referral.contact"
CONTACT_PURPOSE = N_("办理转介，查看转介人提供的联系方式")  # access-log purpose: Chinese data, shown translated
LABELS = {"description": N_("情况说明"), "consent_note": N_("同意方式"), "reason": N_("原因")}
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


@dataclass
class Filing:
    region_code: str
    hardships: list[str]
    description: str
    consent: bool
    consent_note: str
    name: str | None = None
    phone: str | None = None


def due_days() -> int:
    return current_app.config.get("REFERRAL_DUE_WORKING_DAYS", DEFAULT_DUE_DAYS) if has_app_context() \
        else DEFAULT_DUE_DAYS


def referrer_organization(session: Session, actor) -> int | None:
    """The organisation a charity member refers for (it must be approved); a volunteer refers as themself."""
    require_role(actor, "charity", "volunteer")
    if actor.role == "volunteer":
        return None
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None or org.status != "approved":
        raise Forbidden(_("您所在的组织尚未通过民政部门审核（或已被暂停），暂不能转介。"))
    return org.id


def _phone(text: str | None) -> str | None:
    compact = re.sub(r"[\s\u3000]", "", text or "")
    if not compact:
        return None
    if mobile := _MOBILE.fullmatch(compact.replace("-", "")):
        return mobile.group(1)
    if _LANDLINE.fullmatch(compact):
        return compact
    raise Invalid(_("联系电话格式不正确，应为11位手机号或带区号的固定电话（如0558-7212345）。"), "phone")


def township(session: Session, code: str) -> Region:
    region = session.get(Region, code or "")
    if region is None or region.level != "township" or not region.current:
        raise Invalid(_("请选择家庭所在的乡镇（街道）。"), "region_code")
    return region


def _scan(fields: dict[str, str | None], name: str | None) -> None:
    """The scan, with the name the referrer gave as one to find: a name belongs in the encrypted field."""
    identity = Identity(names=(name,)) if name and len(name) >= 2 else None
    try:
        scan(fields, identity, {k: _(v) for k, v in LABELS.items()})
    except Invalid as error:
        raise Invalid(error.message + _("姓名和电话请只填写在加密保存的联系信息栏中。"), error.field) from None


def _given_name(referral: FamilyReferral) -> str | None:
    """The name the referrer gave, so a reason that repeats it is refused (the app's vault, when there is one)."""
    vault = current_app.extensions.get("marketplace.vault") if has_app_context() else None
    return vault.decrypt(referral.name_enc) if vault is not None and referral.name_enc else None


def file(session: Session, actor, data: Filing, vault, today: date | None = None) -> FamilyReferral:
    org_id = referrer_organization(session, actor)
    if not data.consent:
        raise Invalid(_("转介须经本人（或监护人）同意：请确认已征得同意，并写明同意的方式。"), "consent")
    note = (data.consent_note or "").strip()
    if len(note) < 2:
        raise Invalid(_("请写明如何征得同意（例如：本人口头同意，2人在场）。"), "consent_note")
    region = township(session, data.region_code)
    hardships = list(dict.fromkeys(data.hardships or []))
    unknown = [h for h in hardships if h not in HARDSHIPS]
    if unknown:
        raise Invalid(_("未知的困难情形：%(names)s。", names="、".join(unknown)[:60]), "hardships")
    if not hardships:
        raise Invalid(_("请至少选择一种困难情形。"), "hardships")
    description = (data.description or "").strip()
    if len(description) < 10:
        raise Invalid(_("情况说明至少10字：家庭遇到了什么困难，目前得到了哪些帮助。"), "description")
    name = (data.name or "").strip() or None
    phone = _phone(data.phone)
    _scan({"description": description, "consent_note": note}, name)
    referral = FamilyReferral(
        referrer_id=actor.id, organization_id=org_id, region_code=region.code, hardships=" ".join(hardships),
        description=description, consent=True, consent_note=note, name_enc=vault.encrypt(name),
        phone_enc=vault.encrypt(phone), due_on=add_working_days(today or date.today(), due_days()), status="open")
    session.add(referral)
    session.flush()
    notices.filed(session, referral)
    return referral


def check_staff(actor, referral: FamilyReferral, duty: str | None = None) -> FamilyReferral:
    require_role(actor, "staff")
    if not in_scope(actor, referral.region_code):
        raise Forbidden(_("该转介不在您负责的行政区划内。"))
    require_staff_for(actor, referral.region_code, duty)
    return referral


def for_staff(session: Session, actor, referral_id: int, duty: str | None = None) -> FamilyReferral:
    return check_staff(actor, found(session.get(FamilyReferral, referral_id), N_("转介")), duty)


def own(session: Session, actor, referral_id: int) -> FamilyReferral:
    """The referrer's own referral; anyone else's answers as missing (its existence is not theirs to know)."""
    require_role(actor, "charity", "volunteer")
    referral = session.get(FamilyReferral, referral_id)
    if referral is None or referral.referrer_id != actor.id:
        raise NotFound(_("%(what)s不存在。", what=_("转介")))
    return referral


def find_household(session: Session, actor, code: str) -> Household:
    """A registry household by its 户编号 (or 对象编号), looked up only inside the actor's region."""
    code = (code or "").strip()[:32]
    if not code:
        raise Invalid(_("请填写户编号。"), "household_code")
    household = session.scalars(select(Household).where(
        or_(Household.household_no == code, Household.public_code == code.upper()),
        in_scope_sql(actor, Household.region_code))).first()
    if household is None:
        raise Invalid(_("您负责的行政区划内没有户编号为「%(code)s」的救助对象。", code=code), "household_code")
    return household


def link_household(session: Session, actor, referral: FamilyReferral, code: str) -> Household:
    """Link the referral to the registry household it became, now or after a later import."""
    check_staff(actor, referral, "need_posting")
    household = find_household(session, actor, code)
    referral.household_id = household.id
    session.flush()
    return household


def decide(session: Session, actor, referral: FamilyReferral, outcome: str, reason: str | None,
           household_code: str | None = None) -> FamilyReferral:
    check_staff(actor, referral, "need_posting")
    if referral.status != "open":
        raise Conflict(_("该转介当前状态为「%(status)s」，不能再次办结。",
                         status=label(REFERRAL_STATUSES, referral.status)))
    if outcome not in REFERRAL_OUTCOMES:
        raise Invalid(_("请选择办理结果。"), "outcome")
    reason = (reason or "").strip() or None
    if outcome in NEEDS_REASON and (reason is None or len(reason) < 2):
        raise Invalid(_("办理结果为「不符合条件」时须写明原因，转介人会看到。"), "reason")
    if reason:
        _scan({"reason": reason}, _given_name(referral))
    household = find_household(session, actor, household_code) if (household_code or "").strip() else None
    # One conditional UPDATE: two staff answering at once cannot both decide (the loser gets the 409).
    done = session.execute(
        update(FamilyReferral).where(FamilyReferral.id == referral.id, FamilyReferral.status == "open")
        .values(status="decided", outcome=outcome, outcome_reason=reason, decided_by_id=actor.id,
                decided_at=utcnow(), household_id=household.id if household else FamilyReferral.household_id)
        .execution_options(synchronize_session=False))
    session.refresh(referral)
    if done.rowcount != 1:
        raise Conflict(_("该转介已由其他工作人员办结，请刷新后查看。"))
    notices.decided(session, referral)
    return referral


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None


def reveal_contact(session: Session, actor, referral: FamilyReferral, vault, path: str = "") -> Contact:
    """The name and phone in the clear, for staff in scope. The showing is written to the security log
    (the referral may belong to no household yet) and, once linked, to the household's access log; both
    rows survive the request failing."""
    check_staff(actor, referral)
    keep_even_on_rollback(session, SecurityEvent(kind=CONTACT_EVENT, actor_id=actor.id,
                                                 region_code=referral.region_code, ip=client_ip(),
                                                 path=path[:255] or None,
                                                 detail={"referral_id": referral.id}))
    if referral.household_id:
        keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=referral.household_id,
                                                 action="view_contact", purpose=CONTACT_PURPOSE, path=path[:255]))
    session.flush()
    return Contact(vault.decrypt(referral.name_enc), vault.decrypt(referral.phone_enc))


def overdue_condition(today: date):
    return (FamilyReferral.status == "open") & (FamilyReferral.due_on < today)


def overdue_count(session: Session, actor, today: date | None = None) -> int:
    """Open referrals past their due date in the actor's region (0 for anyone but staff)."""
    if not (getattr(actor, "is_authenticated", False) and actor.role == "staff" and actor.region_code):
        return 0
    return session.scalar(select(func.count()).select_from(FamilyReferral).where(
        in_scope_sql(actor, FamilyReferral.region_code), overdue_condition(today or date.today()))) or 0


def hardship_list(referral: FamilyReferral) -> list[str]:
    return [h for h in (referral.hardships or "").split() if h]
