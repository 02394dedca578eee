"""How much waits in each verification queue (claim evidence, pledge evidence): the queues' tabs."""

from ..errors import Invalid
from ..i18n import N_, _, translate
from ..paging import PageRequest
from ..pledges import review
from . import service

# 核验队列's own tabs: what waits (counted, oldest first) and what was reviewed (newest first, not counted:
# those lists only grow, and a page's work must not grow with them).
STATES = {"waiting": ("submitted", N_("待核验")), "verified": ("verified", N_("已核验")),
          "returned": ("rejected", N_("已退回"))}


def chosen_state(args) -> str:
    state = args.get("state") or "waiting"
    if state not in STATES:
        raise Invalid(_("未知的核验状态「%(state)s」，可选：%(states)s。", state=state[:20],
                        states=_("、").join(translate(name) for _code, name in STATES.values())), "state")
    return state


def waiting(session, actor, *, claims: int | None = None, pledges: int | None = None) -> dict:
    """Counts only the queue not already shown (its page has counted itself)."""
    one = PageRequest(1, 1)
    return {"claims": claims if claims is not None else service.queue(session, actor, one).total,
            "pledges": pledges if pledges is not None else review.queue(session, actor, one).total}
