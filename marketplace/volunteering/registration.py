"""Volunteer registration: an account (role volunteer) and its profile in one unit of work. The real name
and phone are encrypted with the vault before they touch the session, and no message or log line here
contains them."""

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from ..auth.service import create_user
from ..errors import Forbidden, Invalid
from ..i18n import _
from ..needs import listing
from ..organizations.models import Organization
from ..regions.models import Region
from ..vocabulary import AVAILABILITY, SKILLS
from .models import VolunteerProfile

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class Registration:
    email: str
    password: str
    display_name: str
    real_name: str
    phone: str
    region_code: str
    skills: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    organization_id: int | None = None


def _codes(chosen: list[str], table: dict, what: str, field_name: str) -> str:
    chosen = [c for c in dict.fromkeys(chosen) if c]
    unknown = [c for c in chosen if c not in table]
    if unknown:
        raise Invalid(_("%(what)s选项无效，请从列表中选择。", what=what), field_name)
    return " ".join(code for code in table if code in chosen)


def register(session: Session, vault, data: Registration):
    real_name = (data.real_name or "").strip()
    phone = re.sub(r"[\s-]", "", data.phone or "")
    if not 2 <= len(real_name) <= 32:
        raise Invalid(_("请填写真实姓名（2至32字）。"), "real_name")
    if not _MOBILE.match(phone):
        raise Invalid(_("请填写11位手机号码。"), "phone")
    region = session.get(Region, data.region_code or "")
    if region is None or region.level != "county" or not region.current:
        raise Invalid(_("请选择所在的县（市、区）。"), "region_code")
    skills = _codes(data.skills, SKILLS, _("技能"), "skills")
    availability = _codes(data.availability, AVAILABILITY, _("可服务时间"), "availability")
    if data.organization_id is not None:
        org = session.get(Organization, data.organization_id)
        if org is None or org.status != "approved":
            raise Invalid(_("只能选择已通过认证的组织。"), "organization_id")
    user = create_user(session, email=data.email, password=data.password, display_name=data.display_name,
                       role="volunteer", region_code=region.code)
    session.add(VolunteerProfile(user_id=user.id, name_enc=vault.encrypt(real_name), phone_enc=vault.encrypt(phone),
                                 skills=skills, availability=availability, organization_id=data.organization_id))
    session.flush()
    return user


def profile_of(session: Session, user_id: int) -> VolunteerProfile | None:
    return session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id)).first()


def county_choices(session: Session) -> list[Region]:
    """The counties with open needs (as the service profile offers), or every current county when none
    has any yet."""
    counties = listing.counties(session)
    if counties:
        return counties
    return list(session.scalars(select(Region).where(Region.level == "county", Region.current.is_(True))
                                .order_by(Region.code)))


def organization_choices(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).where(Organization.status == "approved")
                                .order_by(Organization.name)))


def update_profile(session: Session, vault, actor, *, skills: list[str], availability: list[str],
                   organization_id: int | None, phone: str = "") -> VolunteerProfile:
    """A volunteer's own skills, availability, organisation and (when given) a new phone. Shifts already
    booked are not re-checked against changed skills: the coordinator saw the skills at sign-up."""
    if actor.role != "volunteer":
        raise Forbidden(_("只有志愿者有志愿者资料。"))
    row = profile_of(session, actor.id)
    if row is None:  # accounts created before registration existed (the demo's, create-user)
        row = VolunteerProfile(user_id=actor.id, name_enc=None, phone_enc=None)
        session.add(row)
    row.skills = _codes(skills, SKILLS, _("技能"), "skills")
    row.availability = _codes(availability, AVAILABILITY, _("可服务时间"), "availability")
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        if org is None or org.status != "approved":
            raise Invalid(_("只能选择已通过认证的组织。"), "organization_id")
    row.organization_id = organization_id
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone:
        if not _MOBILE.match(phone):
            raise Invalid(_("请填写11位手机号码，或留空保持不变。"), "phone")
        row.phone_enc = vault.encrypt(phone)
    session.flush()
    return row
