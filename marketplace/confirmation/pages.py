"""What the slip pages, the public receipt page and the staff confirmation page show, gathered in one place.
Every need shown here goes through the public projection (needs.listing): a slip leaves the platform on
paper, and its QR code opens a public page."""

from dataclasses import dataclass

import segno
from flask import current_app
from sqlalchemy import select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..i18n import _, day, money
from ..needs import listing
from ..needs.listing import PublicNeed
from ..needs.models import Need
from ..organizations.models import Organization
from ..pledges import service as pledges
from ..pledges.models import Pledge
from ..vocabulary import label
from . import service
from .models import DeliverySlip


def receipt_url(slip: DeliverySlip) -> str:
    """The only thing the QR code carries: the platform's page for this slip's ref."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/receipts/{slip.ref}"


def qr_svg(url: str) -> str:
    """Inline SVG (no external image, nothing for the CSP to refuse), readable when printed on A5."""
    return segno.make(url, error="m").svg_inline(scale=4, title=_("送达回执核验二维码"), border=2)


@dataclass
class Slip:
    slip: DeliverySlip
    need: PublicNeed
    number: str  # 认领 #12 / 认捐 #3
    fulfiler: str
    promised: str
    url: str
    qr: str


def promised(need: Need, claim: Claim | None, pledge: Pledge | None) -> str:
    if pledge is not None:
        return pledges.amount_shown(need, pledge.amount_fen or pledge.quantity)  # the reader's language
    if need.form in ("money", "retrofit") and need.target_amount_fen:
        return money(need.target_amount_fen)
    if need.form == "goods" and need.target_quantity:
        return f"{need.target_quantity} {need.unit or ''}".rstrip()
    return _("服务（按需求所列内容）") if need.form == "service" else _("按需求所列内容")


def fulfiler_name(session: Session, claim: Claim | None, pledge: Pledge | None) -> str:
    org_id = claim.organization_id if claim is not None else pledge.organization_id
    if org_id:
        return session.scalar(select(Organization.name).where(Organization.id == org_id)) or ""
    name = session.scalar(select(AppUser.display_name).where(AppUser.id == claim.claimant_id)) or ""
    return _("志愿者 %(name)s", name=name).strip()


def number_of(claim: Claim | None, pledge: Pledge | None) -> str:
    return _("认领 #%(id)s", id=claim.id) if claim is not None else _("认捐 #%(id)s", id=pledge.id)


def slip_page(session: Session, slip: DeliverySlip, *, claim: Claim | None = None,
              pledge: Pledge | None = None) -> Slip:
    need = session.get(Need, slip.need_id)
    url = receipt_url(slip)
    number = number_of(claim, pledge)
    return Slip(slip, listing.public_need(session, need), number, fulfiler_name(session, claim, pledge),
                promised(need, claim, pledge), url, qr_svg(url))


@dataclass
class Receipt:
    need: PublicNeed
    public: bool  # the need's own page is public (a link may be shown)
    confirmed_on: str | None
    via: str | None


def receipt(session: Session, slip: DeliverySlip) -> Receipt:
    need = session.get(Need, slip.need_id)
    claim = session.get(Claim, slip.claim_id) if slip.claim_id else None
    pledge = session.get(Pledge, slip.pledge_id) if slip.pledge_id else None
    state = service.state(session, claim=claim, pledge=pledge)
    confirmed = slip.confirmed_at is not None and not state.refused_by_visit
    return Receipt(listing.public_need(session, need), need.status in listing.PUBLIC_STATUSES,
                   day(slip.confirmed_at.date()) if confirmed else None,
                   label(service.CONFIRMATION_LABELS, slip.confirmed_via) if confirmed else None)


@dataclass
class Line:
    """One claim or pledge of a need on the staff confirmation page."""

    key: str  # claim-12 / pledge-3, the follow-up form's target
    number: str
    fulfiler: str
    promised: str
    status: str
    claim: Claim | None
    pledge: Pledge | None
    state: service.State
    followable: bool


def lines(session: Session, need: Need) -> list[Line]:
    result = []
    for claim in session.scalars(select(Claim).where(Claim.need_id == need.id).order_by(Claim.id)):
        result.append(Line(f"claim-{claim.id}", number_of(claim, None), fulfiler_name(session, claim, None),
                           promised(need, claim, None), claim.status, claim, None,
                           service.state(session, claim=claim),
                           claim.status in service.FOLLOW_UP_CLAIM_STATUSES))
    for pledge in session.scalars(select(Pledge).where(Pledge.need_id == need.id).order_by(Pledge.id)):
        result.append(Line(f"pledge-{pledge.id}", number_of(None, pledge), fulfiler_name(session, None, pledge),
                           promised(need, None, pledge), pledge.status, None, pledge,
                           service.state(session, pledge=pledge),
                           pledge.status in service.FOLLOW_UP_PLEDGE_STATUSES))
    return result


def recorders(session: Session, rows: list[Line]) -> dict[int, str]:
    ids = {f.recorded_by_id for line in rows for f in line.state.follow_ups}
    return dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(ids))).all()) \
        if ids else {}
