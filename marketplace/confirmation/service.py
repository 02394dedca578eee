"""送达确认: how the household confirmed it received a claim's or pledge's aid, and whether a verification
may go ahead without it.

Three ways, strongest first: the code from the delivery slip entered by the fulfiler ("code"), the signed
slip photographed and checked by the verifier ("slip"), a follow-up visit or call by staff in which the
household said it received the aid ("visit"). A chain entry verified with none of them says so
(未经受助方确认); the need form's rule (rules.py) decides whether that is allowed."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import require_staff_for
from ..claims.models import Claim
from ..errors import Invalid
from ..evaluation import tally
from ..evidence import service as evidence_files
from ..i18n import N_, _, day
from ..modelbase import utcnow
from ..pledges.models import Pledge
from ..privacy.pii_scan import scan_for_household
from ..vocabulary import CONFIRMATIONS
from . import rules
from .models import DeliverySlip, FollowUp
from .slips import by_ref, enter_code, find, mark_printed, reissue, slip_for  # noqa: F401 (the service API)

CONFIRMATION_LABELS = CONFIRMATIONS
FOLLOW_UP_METHODS = {"visit": N_("上门"), "phone": N_("电话")}
REQUIRED = N_("该类需求须经受助方确认后才能核验：请由帮扶方录入确认码、上传签收回执照片，或记录回访。")


def required(session: Session, form: str) -> bool:
    return rules.required(session, form)


@dataclass
class State:
    """What the verification page and the staff pages show of one claim's or pledge's confirmation."""

    slip: DeliverySlip | None
    follow_ups: list[FollowUp]  # newest first
    slip_photo: bool  # a live evidence file of role "slip"

    @property
    def latest(self) -> FollowUp | None:
        return self.follow_ups[0] if self.follow_ups else None

    @property
    def by_code(self) -> bool:
        return self.slip is not None and self.slip.confirmed_via == "code"

    @property
    def refused_by_visit(self) -> bool:
        return self.latest is not None and not self.latest.received

    @property
    def confirmed(self) -> str | None:
        """How receipt has been confirmed so far, for the staff pages: code, slip, visit, or None."""
        if self.refused_by_visit:
            return None
        if self.slip is not None and self.slip.confirmed_via:
            return self.slip.confirmed_via
        return "visit" if self.latest is not None and self.latest.received else None

    def way(self, slip_checked: bool = False) -> str:
        if self.by_code:
            return "code"
        if slip_checked and self.slip_photo:
            return "slip"
        if self.latest is not None and self.latest.received:
            return "visit"
        return "none"


def _column(claim, pledge):
    return (FollowUp.claim_id == claim.id) if claim is not None else (FollowUp.pledge_id == pledge.id)


def state(session: Session, *, claim: Claim | None = None, pledge: Pledge | None = None) -> State:
    follow_ups = list(session.scalars(select(FollowUp).where(_column(claim, pledge))
                                      .order_by(FollowUp.visited_on.desc(), FollowUp.id.desc())))
    return State(find(session, claim=claim, pledge=pledge), follow_ups, _has_slip_photo(session, claim, pledge))


def _has_slip_photo(session: Session, claim, pledge) -> bool:
    """A photographed, signed slip among the evidence files nobody removed or hid."""
    files = evidence_files.live_files(session, claim_id=claim.id if claim is not None else None,
                                      pledge_id=pledge.id if pledge is not None else None)
    return any(f.role == "slip" for f in files)


def for_verification(session: Session, actor, need, *, claim=None, pledge=None, slip_checked: bool = False) -> str:
    """How the household confirmed receipt of this claim's or pledge's aid: "code", "slip", "visit" or "none".
    Raises Invalid when the household said at the latest follow-up that nothing arrived, or when the need's
    form requires confirmation and there is none."""
    found = state(session, claim=claim, pledge=pledge)
    if found.refused_by_visit:
        latest = found.latest
        method = _(FOLLOW_UP_METHODS[latest.method]) if latest.method in FOLLOW_UP_METHODS else ""
        raise Invalid(_("%(date)s%(method)s回访时受助方表示未收到帮扶，不能核验。请核实后再次回访，或退回凭证。",
                        date=day(latest.visited_on), method=method), "slip_checked")
    way = found.way(slip_checked)
    if way == "none" and required(session, need.form):
        raise Invalid(_(REQUIRED), "slip_checked")
    if way == "slip":
        slip = found.slip or slip_for(session, claim=claim, pledge=pledge, actor=actor)
        if slip.confirmed_at is None:
            slip.confirmed_at, slip.confirmed_via, slip.confirmed_by_id = utcnow(), "slip", actor.id
            session.flush()
    return way


FOLLOW_UP_CLAIM_STATUSES = ("started", "submitted", "completed")
FOLLOW_UP_PLEDGE_STATUSES = ("pledged", "submitted", "verified")


def record_follow_up(session: Session, actor, need, *, claim=None, pledge=None, visited_on: date | None,
                     method: str, received: bool, satisfaction: int | None, remarks: str | None,
                     today: date | None = None) -> FollowUp:
    """回访 by staff of the need's region. Satisfaction (1–5) is asked only when the aid arrived."""
    require_staff_for(actor, need.region_code)
    subject = claim if claim is not None else pledge
    if subject is None or subject.need_id != need.id:
        raise Invalid(_("请选择回访的认领或认捐。"), "target")
    allowed = FOLLOW_UP_CLAIM_STATUSES if claim is not None else FOLLOW_UP_PLEDGE_STATUSES
    if subject.status not in allowed:
        raise Invalid(_("该认领或认捐尚未开始交付或已结束，不能记录回访。"), "target")
    today = today or date.today()
    if visited_on is None or visited_on > today:
        raise Invalid(_("请填写回访日期，且不能晚于今天。"), "visited_on")
    began = (claim.claimed_at if claim is not None else pledge.pledged_at).date()
    if visited_on < began:
        raise Invalid(_("回访日期不能早于认领或认捐日期（%(date)s）。", date=day(began)), "visited_on")
    if method not in FOLLOW_UP_METHODS:
        raise Invalid(_("请选择回访方式：上门或电话。"), "method")
    if received:
        if satisfaction is None or not 1 <= satisfaction <= 5:
            raise Invalid(_("受助方已收到帮扶时，请记录满意度（1至5分）。"), "satisfaction")
    else:
        satisfaction = None  # nothing arrived: there is nothing to rate
    remarks = (remarks or "").strip() or None
    if remarks is not None:
        if len(remarks) > 500:
            raise Invalid(_("回访备注不能超过500字。"), "remarks")
        scan_for_household(session, need.household_id, {"remarks": remarks}, labels={"remarks": _("回访备注")})
    row = FollowUp(need_id=need.id, claim_id=claim.id if claim is not None else None,
                   pledge_id=pledge.id if pledge is not None else None, organization_id=subject.organization_id,
                   visited_on=visited_on, method=method, received=bool(received), satisfaction=satisfaction,
                   remarks=remarks, recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    if received:
        slip = find(session, claim=claim, pledge=pledge)
        if slip is not None and slip.confirmed_at is None:
            slip.confirmed_at, slip.confirmed_via, slip.confirmed_by_id = utcnow(), "visit", actor.id
    tally.on_follow_up(session, need, row)
    session.flush()
    return row
