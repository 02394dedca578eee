"""Moving a household to another region (迁移): an act of its own, never a side effect of an import (the
registry import refuses a row whose region differs, registry/importing/registry_import.py).

Only staff whose scope covers both the old and the new region may move a household, and they must say
why. The move is a household_history row (source 「迁移」, the actor, from and to, the reason) and a
security-log row (household.move). Needs posted before the move keep the region they were posted in:
they are handled to the end by the staff who posted them."""

from sqlmodel import Session

from ..auth.access import in_scope, require_staff_for
from ..errors import Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..outbox.service import region_changed
from ..regions.models import Region
from ..security import events
from .models import Household, HouseholdHistory

SOURCE = N_("迁移")  # stored as data (household_history.source); translated where shown
DUTY = "registry_import"  # policy "registry.move": the duty of those who keep the registry
PLACES = ("county", "township", "village")  # a household lives in a county or below it
MAX_REASON = 200


def move_household(session: Session, actor, household: Household, to_region: str, reason: str) -> Household:
    require_staff_for(actor, household.region_code, duty=DUTY)
    code = (to_region or "").strip()
    reason = " ".join((reason or "").split())
    region = session.get(Region, code) if code else None
    if region is None or not region.current or region.level not in PLACES:
        raise Invalid(_("行政区划代码「%(code)s」不是现行的县级或以下行政区划。", code=code) if code
                      else _("请填写迁入地行政区划代码。"),
                      "to_region")
    if code == household.region_code:
        raise Invalid(_("该户已登记在此行政区划。"), "to_region")
    if not in_scope(actor, code):
        raise Invalid(_("迁入地不在您负责的行政区划内：迁移须由同时负责迁出地和迁入地的工作人员办理。"), "to_region")
    if not reason:
        raise Invalid(_("请填写迁移原因。"), "reason")
    if len(reason) > MAX_REASON:
        raise Invalid(_("迁移原因最多%(num)s字。", num=MAX_REASON), "reason")
    old = household.region_code
    now = utcnow()
    household.region_code, household.updated_at = code, now
    session.add(HouseholdHistory(household_id=household.id, source=SOURCE, actor_id=actor.id, at=now,
                                 changes={"region_code": [old, code], "reason": reason}))
    # One row, in the mover's region: it covers both places, so account managers of either see it.
    events.record(session, "household.move", actor=actor, region_code=actor.region_code,
                  household=household.public_code, **{"from": old, "to": code})
    # Household counts per place decide whether needs may name their township (k-anonymity).
    for county in sorted({old[:6], code[:6]}):
        region_changed(session, county)
    session.flush()
    return household
