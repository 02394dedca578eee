"""送达回执: one slip per claim or pledge, with the 6-digit code the household gives the fulfiler on delivery.

The code is the household's word that the aid arrived, so guessing it must not pay: codes are compared in
constant time, each wrong entry counts even when the request that made it fails, and after MAX_ATTEMPTS
wrong entries the slip locks until staff of the region issue a new code (and a new ref: a slip printed
before is void)."""

import hmac
import re
import secrets
import unicodedata

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..auth.access import require_staff_for
from ..claims import service as claims
from ..claims.models import Claim
from ..db import keep_effect_even_on_rollback
from ..errors import Conflict, Invalid
from ..i18n import N_, _, ngettext
from ..modelbase import utcnow
from ..needs.models import Need
from ..pledges import service as pledges
from ..pledges.models import Pledge
from .models import DeliverySlip

MAX_ATTEMPTS = 5
LOCKED = N_("确认码已锁定，请联系民政工作人员重新出具回执。")
# A slip is printed for aid on its way or delivered, not for a claim or pledge that ended without it.
SLIP_CLAIM_STATUSES = ("active", "started", "submitted", "completed")
SLIP_PLEDGE_STATUSES = ("pledged", "submitted", "verified")


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def new_ref() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits: not guessable, short in a QR code


def _subject(claim: Claim | None, pledge: Pledge | None) -> tuple[str, int]:
    if (claim is None) == (pledge is None):
        raise ValueError("a slip is for one claim or one pledge")
    return ("claim", claim.id) if claim is not None else ("pledge", pledge.id)


def find(session: Session, *, claim: Claim | None = None, pledge: Pledge | None = None) -> DeliverySlip | None:
    kind, subject_id = _subject(claim, pledge)
    column = DeliverySlip.claim_id if kind == "claim" else DeliverySlip.pledge_id
    return session.scalars(select(DeliverySlip).where(column == subject_id)).first()


def by_ref(session: Session, ref: str) -> DeliverySlip | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", ref or ""):
        return None
    return session.scalars(select(DeliverySlip).where(DeliverySlip.ref == ref)).first()


def slip_for(session: Session, *, claim: Claim | None = None, pledge: Pledge | None = None,
             actor=None) -> DeliverySlip:
    """The claim's or pledge's slip, created on first use. Two requests creating it at once both get the
    same row: the insert runs in a savepoint, and the loser of the unique constraint reads the winner's."""
    existing = find(session, claim=claim, pledge=pledge)
    if existing is not None:
        return existing
    subject = claim if claim is not None else pledge
    statuses = SLIP_CLAIM_STATUSES if claim is not None else SLIP_PLEDGE_STATUSES
    if subject.status not in statuses:
        raise Conflict(_("该认领或认捐已结束，不再出具送达回执。"))
    for _attempt in range(3):
        slip = DeliverySlip(need_id=subject.need_id, claim_id=claim.id if claim is not None else None,
                            pledge_id=pledge.id if pledge is not None else None, ref=new_ref(), code=new_code(),
                            created_by_id=getattr(actor, "id", None))
        try:
            with session.begin_nested():
                session.add(slip)
        except IntegrityError:
            existing = find(session, claim=claim, pledge=pledge)
            if existing is not None:
                return existing
            continue  # the ref collided with another slip's (72 random bits: practically never)
        return slip
    raise Conflict(_("暂时无法生成送达回执，请稍后再试。"))


def normalise(code: str | None) -> str:
    """Digits as the fulfiler typed them: full-width digits from a Chinese IME, spaces between groups."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", code or ""))


def enter_code(session: Session, actor, *, claim: Claim | None = None, pledge: Pledge | None = None,
               code: str) -> DeliverySlip:
    """The fulfiler enters the code the household gave them. Right: the slip is confirmed by code. Wrong:
    Invalid with the attempts left, and the count survives the request's rollback."""
    if claim is not None:
        claims.check_owner(actor, claim)
    else:
        pledges.check_owner(actor, pledge)
    typed = normalise(code)
    if not re.fullmatch(r"\d{6}", typed):
        raise Invalid(_("确认码是送达回执上的6位数字，请核对后重新输入。"), "confirmation_code")
    slip = slip_for(session, claim=claim, pledge=pledge, actor=actor)
    if slip.failed_attempts >= MAX_ATTEMPTS:
        raise Invalid(_(LOCKED), "confirmation_code")
    if not hmac.compare_digest(typed.encode(), slip.code.encode()):
        failed = keep_effect_even_on_rollback(session, _count_failure(slip.id))
        left = MAX_ATTEMPTS - failed
        if left <= 0:
            raise Invalid(_(LOCKED), "confirmation_code")
        raise Invalid(ngettext("确认码不正确，还可尝试%(num)s次。请核对受助方手中送达回执上的6位数字。",
                               "确认码不正确，还可尝试%(num)s次。请核对受助方手中送达回执上的6位数字。", left),
                      "confirmation_code")
    if slip.confirmed_at is None:
        slip.confirmed_at, slip.confirmed_via, slip.confirmed_by_id = utcnow(), "code", actor.id
        session.flush()
    return slip


def _count_failure(slip_id: int):
    """One wrong entry, as an atomic increment: run in the request, and again on its own after a rollback."""

    def effect(session: Session) -> int:
        session.execute(update(DeliverySlip).where(DeliverySlip.id == slip_id)
                        .values(failed_attempts=DeliverySlip.failed_attempts + 1)
                        .execution_options(synchronize_session=False))
        failed = session.scalar(select(DeliverySlip.failed_attempts).where(DeliverySlip.id == slip_id))
        slip = session.get(DeliverySlip, slip_id)
        if slip is not None:
            session.refresh(slip, ["failed_attempts"])
        return failed or 0

    return effect


def reissue(session: Session, actor, slip: DeliverySlip) -> DeliverySlip:
    """Staff of the need's region issue a new code and ref (a lost slip, a locked code): the old slip is
    void, its QR code no longer opens anything."""
    need = session.get(Need, slip.need_id)
    require_staff_for(actor, need.region_code)
    if slip.confirmed_at is not None:
        raise Conflict(_("受助方已确认收到，不能重新出具确认码。"))
    slip.code, slip.ref, slip.failed_attempts, slip.printed_at = new_code(), new_ref(), 0, None
    slip.created_by_id, slip.created_at = actor.id, utcnow()
    session.flush()
    return slip


def mark_printed(session: Session, actor, slip: DeliverySlip) -> DeliverySlip:
    """Staff opened the household's copy: from now on the code exists on paper."""
    require_staff_for(actor, session.get(Need, slip.need_id).region_code)
    if slip.printed_at is None:
        slip.printed_at = utcnow()
        session.flush()
    return slip
