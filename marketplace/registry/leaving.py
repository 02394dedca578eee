"""When a household leaves the registry and when it comes back: `left_at`, from which the retention of
its identity is counted (privacy/retention.py).

Any ORM change of `status` is seen by a before-flush hook, so no writer of Household objects can forget
it: leaving (active -> anything else) stamps `left_at`, coming back clears it. The registry import writes
with bulk statements no hook sees and sets the columns itself (registry/importing/registry_import.py)."""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from ..modelbase import utcnow
from .models import Household

ACTIVE = "active"


def _status_before(household: Household) -> str | None:
    history = inspect(household).attrs.status.history
    return history.deleted[0] if history.deleted else None


@event.listens_for(OrmSession, "before_flush")
def _stamp_leaving(session, _flush_context, _instances) -> None:
    changed = [h for h in session.new if isinstance(h, Household)]
    changed += [h for h in session.dirty if isinstance(h, Household) and inspect(h).attrs.status.history.has_changes()]
    for household in changed:
        if household.status == ACTIVE:
            household.left_at = None
        elif household.left_at is None or _status_before(household) == ACTIVE:
            household.left_at = utcnow()
