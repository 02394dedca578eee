"""Who may see a household's contact details for a need, and the logged act of showing them.

Staff of the household's region always may (they arrange help). The fulfiler whose claim on the need is
live may only where the need records the household's or guardian's consent to share (PIPL art. 23: a
third party receives personal information only with separate consent). Everyone else is told that staff
will arrange the contact."""

from dataclasses import dataclass

from sqlmodel import Session

from ..auth.access import in_scope
from ..claims.service import check_owner, live_claim
from ..db import keep_even_on_rollback
from ..errors import Forbidden
from ..i18n import N_, _
from ..needs.models import Need
from ..organizations.models import Organization
from ..registry.models import AccessLog, Household
from .vault import Vault

# Stored in access_log.purpose as Chinese data, translated where shown (the access-log page).
PURPOSES = {"staff": N_("安排帮扶联系"), "charity": N_("履行认领的帮扶，联系受助户"),
            "volunteer": N_("履行认领的帮扶，联系受助户")}


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None
    address: str | None


def refusal(session: Session, actor, need: Need, household_region: str) -> str | None:
    """Why `actor` may not see the contact of `need`'s household (which lives in `household_region`), or
    None when they may."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return _("联系方式不公开，由工作人员安排联系。")
    if actor.role == "staff":
        if in_scope(actor, household_region):
            return None
        return _("该户不在您负责的行政区划内，由工作人员安排联系。")
    if actor.role not in ("charity", "volunteer") or not _holds_live_claim(session, actor, need):
        return _("只有正在履行该需求认领的组织或志愿者才可能获得联系方式，由工作人员安排联系。")
    if need.contact_basis == "none":
        return _("该户未同意向认领方提供联系方式，由工作人员安排联系。")
    if actor.role == "charity":
        org = session.get(Organization, actor.organization_id) if actor.organization_id else None
        if org is None or org.status != "approved":
            return _("您所在的组织当前未通过认证，由工作人员安排联系。")
    return None


def _holds_live_claim(session: Session, actor, need: Need) -> bool:
    claim = live_claim(session, need)
    if claim is None:
        return False
    try:
        check_owner(actor, claim)
    except Forbidden:
        return False
    return True


def contact_for(session: Session, actor, need: Need, vault: Vault, purpose: str, path: str = "") -> Contact:
    """The household's name, phone and address (never the ID number); the view is access-logged and the
    log row survives even if the request fails afterwards."""
    household = session.get(Household, need.household_id)
    reason = refusal(session, actor, need, household.region_code)
    if reason:
        raise Forbidden(reason)
    row = AccessLog(user_id=actor.id, household_id=household.id, action="view_contact", purpose=purpose[:200],
                    path=path[:255])
    keep_even_on_rollback(session, row)
    session.flush()
    return Contact(vault.decrypt(household.head_name_enc), vault.decrypt(household.phone_enc),
                   vault.decrypt(household.address_enc))
