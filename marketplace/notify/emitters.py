"""Who is told what when something changes. Each function is called by a service in the same
transaction as the change (one line there), picks the recipients and builds a context from public facts
only (messages.need_context), then queues the mail under a key stable for that logical message."""

import re

from sqlalchemy import func, select
from sqlmodel import Session

from ..needs.models import Need
from ..organizations.models import Organization, OrganizationHistory
from . import messages
from .messages import need_context, org_admins, send, send_each, user

_DECISION_KINDS = {"approve": "org.approved", "reject": "org.rejected", "suspend": "org.suspended"}
# Free text typed by people (a reason) goes to organisations: anything shaped like an ID number or a phone
# number is masked, in case someone wrote one into it.
_IDENTIFIER = re.compile(r"(?<![0-9])(\d{17}[\dXx]|(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}|0\d{2,3}[- ]?\d{7,8})"
                         r"(?![0-9])")


def redact(text: str | None) -> str:
    return _IDENTIFIER.sub("***", (text or "").strip())


def _org_name(session: Session, org_id: int | None) -> str:
    org = session.get(Organization, org_id) if org_id else None
    return org.name if org else ""


def org_decided(session: Session, org: Organization, action: str, reason: str | None) -> None:
    kind = _DECISION_KINDS.get(action)
    if kind is None:
        return  # reinstatement is told by the organisation page; no mail was asked for
    # The n-th decision on this organisation: a second suspension months later is a new message.
    n = session.scalar(select(func.count()).select_from(OrganizationHistory)
                       .where(OrganizationHistory.organization_id == org.id))
    send_each(session, kind, org_admins(session, org.id),
              {"org_name": org.name, "reason": redact(reason), "path": "/organization"}, f"{kind}:{org.id}:{n}")


def invitation(session: Session, invitation, org: Organization, token: str) -> None:
    from ..vocabulary import ORG_ROLES

    send(session, "org.invitation", invitation.email,
         {"org_name": org.name, "role": ORG_ROLES.get(invitation.org_role, invitation.org_role),
          "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"), "path": f"/invitations/{token}"},
         f"invitation:{invitation.id}", region=org.region_code)


def _claimant_name(session: Session, claim) -> tuple[str, bool]:
    """(organisation name, True) or ("", False) for a volunteer acting alone: staff learn which
    organisation took a need; a private volunteer is not named in mail."""
    name = _org_name(session, claim.organization_id)
    return name, bool(name)


def need_claimed(session: Session, need: Need, claim) -> None:
    org_name, by_org = _claimant_name(session, claim)
    poster = user(session, need.created_by_id)
    if poster is not None:
        send(session, "need.claimed", poster, {**need_context(session, need), "org_name": org_name,
                                                "by_org": by_org, "path": f"/needs/{need.id}"},
             f"need.claimed:{claim.id}")


def need_pledged(session: Session, need: Need, pledge, amount: str, covered: bool) -> None:
    poster = user(session, need.created_by_id)
    if poster is not None:
        send(session, "need.pledged", poster,
             {**need_context(session, need), "org_name": _org_name(session, pledge.organization_id),
              "amount": amount, "covered": covered, "path": f"/needs/{need.id}"}, f"need.pledged:{pledge.id}")


def evidence_submitted(session: Session, need: Need, fulfilment) -> None:
    verifiers = messages.region_staff(session, need.region_code, {fulfilment.submitted_by_id, need.created_by_id})
    send_each(session, "evidence.submitted", verifiers, {**need_context(session, need), "path": "/staff/verify"},
              f"evidence.submitted:{fulfilment.id}")


def fulfilment_reviewed(session: Session, need: Need, fulfilment) -> None:
    kind = "fulfilment.verified" if fulfilment.status == "verified" else "fulfilment.rejected"
    fulfiler = user(session, fulfilment.submitted_by_id)
    if fulfiler is not None:
        send(session, kind, fulfiler, {**need_context(session, need), "reason": redact(fulfilment.review_reason),
                                       "path": "/my/claims"}, f"{kind}:{fulfilment.id}")


def claim_expiring(session: Session, claim, need: Need) -> None:
    claimant = user(session, claim.claimant_id)
    if claimant is not None:
        # An extended claim gets a second warning before its new deadline.
        key = f"claim.expiring:{claim.id}" + (":extended" if claim.extended else "")
        send(session, "claim.expiring", claimant, {**need_context(session, need), "path": "/my/claims",
                                                    "expires": claim.expires_at.strftime("%Y-%m-%d %H:%M UTC")},
             key)


def claim_expired(session: Session, claim, need: Need) -> None:
    claimant = user(session, claim.claimant_id)
    if claimant is not None:
        send(session, "claim.expired", claimant, {**need_context(session, need), "path": "/my/claims"},
             f"claim.expired:{claim.id}")


def transfer_changed(session: Session, transfer, claim, hours: int = 72) -> None:
    """requested: the receiving organisation (it decides); accepted: the handing-over one; lapsed: both."""
    kind = {"requested": "transfer.requested", "accepted": "transfer.accepted", "lapsed": "transfer.lapsed"}.get(
        transfer.status)
    if kind is None:
        return
    need = session.get(Need, claim.need_id)
    context = {**need_context(session, need), "from_org": _org_name(session, transfer.from_organization_id),
               "to_org": _org_name(session, transfer.to_organization_id), "reason": redact(transfer.reason),
               "hours": hours, "path": "/my/claims"}
    orgs = {"transfer.requested": [transfer.to_organization_id],
            "transfer.accepted": [transfer.from_organization_id],
            "transfer.lapsed": [transfer.from_organization_id, transfer.to_organization_id]}[kind]
    recipients = [admin for org_id in orgs for admin in org_admins(session, org_id)]
    send_each(session, kind, recipients, context, f"{kind}:{transfer.id}")


def shift_context(session: Session, shift) -> dict:
    context = need_context(session, session.get(Need, shift.need_id))
    # The place is the need's projected area, as on the shift page: never the stored shift.place.
    return {**context, "shift": {
        "date": shift.date.isoformat(), "start": shift.start_time.strftime("%H:%M"),
        "end": shift.end_time.strftime("%H:%M"), "place": context["need"]["area"]}, "path": "/my/shifts"}


def shift_promoted(session: Session, signup, shift) -> None:
    volunteer = user(session, signup.user_id)
    if volunteer is not None:
        send(session, "shift.promoted", volunteer, shift_context(session, shift), f"promoted:{signup.id}")
