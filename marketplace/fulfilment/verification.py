"""What a verifier sees before approving a claim's or a pledge's evidence: the files, how the household
confirmed receipt, and the aid this household already has or is about to get in the same category.
Read-only: the approve and reject services decide; this only gathers."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import require_staff_for
from ..confirmation import service as confirmation
from ..confirmation.models import DeliverySlip, FollowUp
from ..duplicates.check import Match, Proposed, check
from ..evidence import service as evidence_files
from ..i18n import _, money, ngettext
from ..ledger.models import LedgerEntry
from ..needs.models import Need
from ..registry.models import Household


@dataclass(frozen=True)
class Confirmation:
    """送达确认 as it stands: the code entered, a photographed signed slip to check, a follow-up visit."""

    required: bool | None  # None: the rule is not known here (confirmation service without `required`)
    code_at: object = None  # when the household's code was entered
    slip_photos: int = 0
    follow_up: FollowUp | None = None

    @property
    def none(self) -> bool:
        return self.code_at is None and not self.slip_photos and self.follow_up is None


@dataclass(frozen=True)
class DuplicateRow:
    source: str
    title: str
    when: str
    amount: str
    exact: bool


@dataclass
class Review:
    need: Need
    household: Household
    files: list = field(default_factory=list)
    confirmation: Confirmation | None = None
    duplicates: list[DuplicateRow] = field(default_factory=list)


def gather(session: Session, actor, need: Need, *, claim=None, pledge=None, organization_id=None) -> Review:
    """The review of one claim's (or pledge's) evidence for staff of the need's region with the verification
    duty; anybody else gets the 403 the approve route would give."""
    require_staff_for(actor, need.region_code, duty="verification")
    household = session.get(Household, need.household_id)
    files = evidence_files.review_files(session, claim=claim, pledge=pledge)
    return Review(need=need, household=household, files=files,
                  confirmation=_confirmation(session, need, files, claim=claim, pledge=pledge),
                  duplicates=duplicates(session, household, need, organization_id))


def _confirmation(session: Session, need: Need, files, *, claim, pledge) -> Confirmation:
    owner = (DeliverySlip.claim_id == claim.id) if claim is not None else (DeliverySlip.pledge_id == pledge.id)
    slip = session.scalars(select(DeliverySlip).where(owner)).first()
    followed = (FollowUp.claim_id == claim.id) if claim is not None else (FollowUp.pledge_id == pledge.id)
    follow_up = session.scalars(select(FollowUp).where(followed)
                                .order_by(FollowUp.visited_on.desc(), FollowUp.id.desc())).first()
    rule = getattr(confirmation, "required", None)
    return Confirmation(
        required=rule(session, need.form) if rule else None,
        code_at=slip.confirmed_at if slip is not None and slip.confirmed_via == "code" else None,
        slip_photos=sum(1 for f in files if f.role == "slip" and f.hidden_at is None),
        follow_up=follow_up)


def duplicates(session: Session, household: Household, need: Need, organization_id: int | None) -> list[DuplicateRow]:
    """The matches the claim check (claims.service.duplicate_matches) finds for this household and category,
    with the amount of each."""
    matches = check(session, household, Proposed.of_need(need, organization_id=organization_id,
                                                        exclude_need_id=need.id))
    entries = {e.id: e for e in session.scalars(select(LedgerEntry).where(
        LedgerEntry.id.in_([m.entry_id for m in matches if m.entry_id])))} if matches else {}
    planned = {n.id: n for n in session.scalars(select(Need).where(
        Need.id.in_([m.need_id for m in matches if m.need_id])))} if matches else {}
    return [_row(m, entries.get(m.entry_id) or planned.get(m.need_id)) for m in matches]


def _row(match: Match, source) -> DuplicateRow:
    title, _sep, _category = match.what.partition(" · ")
    return DuplicateRow(source=match.who, title=title, when=match.when, amount=amount_text(source), exact=match.exact)


def amount_text(row) -> str:
    """A chain entry's (or a planned need's target) figures as a person reads them."""
    if row is None:
        return "—"
    amount = getattr(row, "amount_fen", None) or getattr(row, "target_amount_fen", None)
    quantity = getattr(row, "quantity", None) or getattr(row, "target_quantity", None)
    hours = getattr(row, "hours", None)
    parts = ([money(amount)] if amount else []) + ([f"{quantity} {row.unit or ''}".strip()] if quantity else [])
    parts += [hours_text(hours)] if hours else []
    return _("，").join(parts) or "—"


def hours_text(hours: float) -> str:
    """Hours as a person reads them: 2.5 小时, 1 hour, 2.5 hours."""
    return ngettext("%(hours)s 小时", "%(hours)s 小时", 1 if hours == 1 else 2, hours=format(hours, "g"))
