"""Who hears about a referral, by mail queued in the same transaction (notify.messages.send).

Mail carries no personal data, whoever reads it: the township, the dates, the outcome and a link. The name,
phone and description stay on the pages of those allowed to see them."""

from sqlalchemy import select
from sqlmodel import Session

from ..auth.models import AppUser
from ..notify import messages
from ..regions.service import area_name
from .models import FamilyReferral


def local_staff(session: Session, region_code: str) -> list[AppUser]:
    """The staff who answer referrals there: active, with the need_posting duty, placed at the township
    itself or at its county (a city or province account reads reports, it does not work the queue)."""
    county = region_code[:6]
    staff = session.scalars(select(AppUser).where(AppUser.role == "staff", AppUser.is_active.is_(True),
                                                  AppUser.region_code.in_((region_code, county)))
                            .order_by(AppUser.id))
    return [s for s in staff if s.has_duty("need_posting")]


def _context(session: Session, referral: FamilyReferral) -> dict:
    return {"area": area_name(session, referral.region_code), "filed_on": referral.created_at.date().isoformat(),
            "due_on": referral.due_on.isoformat()}


def filed(session: Session, referral: FamilyReferral) -> None:
    messages.send_each(session, "referral.filed", local_staff(session, referral.region_code),
                       {**_context(session, referral), "path": f"/staff/referrals/{referral.id}"},
                       f"referral.filed:{referral.id}")


def decided(session: Session, referral: FamilyReferral) -> None:
    referrer = messages.user(session, referral.referrer_id)
    if referrer is not None:
        messages.send(session, "referral.decided", referrer,
                      {**_context(session, referral), "outcome": referral.outcome,
                       "path": f"/my/referrals/{referral.id}"}, f"referral.decided:{referral.id}")
