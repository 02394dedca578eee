"""Households as staff see them: scoped to their region, every view of private data logged."""

import secrets

from sqlalchemy import func, select
from sqlmodel import Session

from ..auth.access import found, require_staff_for
from ..db import keep_even_on_rollback
from ..errors import Invalid
from ..i18n import N_, _, is_english
from ..regions.models import Region
from ..vocabulary import HARDSHIPS, TIERS
from .models import AccessLog, Household

# Crockford-style alphabet without look-alikes (0/O, 1/I/L): codes are read aloud on the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def listed(names) -> str:
    """Names in one line, as the reader's language separates them (、 in Chinese)."""
    return (", " if is_english() else "、").join(names)


def new_public_code(session: Session) -> str:
    """A pseudonymous code that says nothing about the household (no region, no sequence)."""
    while True:
        code = "H" + "".join(secrets.choice(_ALPHABET) for _unused in range(8))
        if not session.scalar(select(func.count()).select_from(Household).where(Household.public_code == code)):
            return code


def add_household(session: Session, *, tier: str, region_code: str, members: int = 1,
                  hardships: list[str] | None = None, household_no: str | None = None,
                  head_birth_year: int | None = None, enrolled_on=None) -> Household:
    if tier not in TIERS:
        raise Invalid(_("救助类别「%(tier)s」无效。", tier=tier), "tier")
    if session.get(Region, region_code) is None:
        raise Invalid(_("行政区划代码 %(code)s 不存在。", code=region_code), "region_code")
    unknown = [h for h in hardships or [] if h not in HARDSHIPS]
    if unknown:
        raise Invalid(_("未知的困难情形：%(names)s。", names=listed(unknown)), "hardships")
    household = Household(public_code=new_public_code(session), household_no=household_no, tier=tier,
                          region_code=region_code, members=members, hardships=list(hardships or []),
                          head_birth_year=head_birth_year, enrolled_on=enrolled_on)
    session.add(household)
    session.flush()
    return household


def household_for_staff(session: Session, actor, public_code: str, *, action: str, path: str,
                        purpose: str | None = None) -> Household:
    """The household if it lies in the actor's region; the view is written to the access log."""
    household = found(
        session.scalars(select(Household).where(Household.public_code == public_code)).first(), N_("该户")
    )
    require_staff_for(actor, household.region_code)
    keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=household.id, action=action,
                                              purpose=purpose, path=path[:255]))
    session.flush()
    return household
