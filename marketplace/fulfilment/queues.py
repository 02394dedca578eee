"""How much waits in each verification queue (claim evidence, pledge evidence): the queues' tabs."""

from ..paging import PageRequest
from ..pledges import review
from . import service


def waiting(session, actor, *, claims: int | None = None, pledges: int | None = None) -> dict:
    """Counts only the queue not already shown (its page has counted itself)."""
    one = PageRequest(1, 1)
    return {"claims": claims if claims is not None else service.queue(session, actor, one).total,
            "pledges": pledges if pledges is not None else review.queue(session, actor, one).total}
