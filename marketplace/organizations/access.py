"""Who may see and decide what about an organisation. Every check returns the object or raises."""

from ..auth.access import in_scope, require_duty, require_role
from ..errors import Forbidden
from ..i18n import _

ADMIN = "administrator"


def org_role(user) -> str | None:
    """A charity account's role in its organisation; accounts older than roles count as members."""
    if getattr(user, "organization_id", None) is None:
        return None
    return user.org_role or "member"


def require_vetter(actor, org):
    """Staff holding the vetting duty whose region subtree contains the organisation's home region."""
    require_duty(actor, "org_vetting")
    if not in_scope(actor, org.region_code):
        raise Forbidden(_("该组织不在您负责的行政区划内。"))
    return org


def require_member(actor, org):
    require_role(actor, "charity")
    if actor.organization_id != org.id:
        raise Forbidden(_("您不是该组织的成员。"))
    return org


def require_admin(actor, org):
    require_member(actor, org)
    if org_role(actor) != ADMIN:
        raise Forbidden(_("只有本组织的管理员可以管理成员和邀请。"))
    return org


def may_see_contact(actor, org) -> bool:
    """The contact person is personal data: staff of the region and the organisation's administrators."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.role == "staff":
        return in_scope(actor, org.region_code)
    return actor.role == "charity" and actor.organization_id == org.id and org_role(actor) == ADMIN
