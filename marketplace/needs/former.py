"""A need a fulfiler once held (claimed, or pledged to) that is no longer public (cancelled, expired): its
public page answers 404 to everyone else, but the fulfiler's work lists link to it, so they see its closed
state instead: the public projection, the need's status and their own claim or pledge."""

from dataclasses import dataclass

from sqlalchemy import select

from ..claims import service as claims
from ..claims.models import Claim
from ..pledges import service as pledges
from ..pledges.models import Pledge


@dataclass(frozen=True)
class Held:
    kind: str  # "claim" or "pledge"
    row: Claim | Pledge


def held_by(session, user, need) -> Held | None:
    """The latest claim or pledge of `user` (or their organisation) on `need`, if any."""
    if not getattr(user, "is_authenticated", False) or user.role not in ("charity", "volunteer"):
        return None
    claim = session.scalars(select(Claim).where(Claim.need_id == need.id, claims.owned(user))
                            .order_by(Claim.claimed_at.desc(), Claim.id.desc())).first()
    if claim is not None:
        return Held("claim", claim)
    if user.role != "charity":
        return None
    pledge = session.scalars(select(Pledge).where(Pledge.need_id == need.id, pledges.owned(user))
                             .order_by(Pledge.pledged_at.desc(), Pledge.id.desc())).first()
    return Held("pledge", pledge) if pledge is not None else None
