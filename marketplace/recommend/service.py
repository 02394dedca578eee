"""为我推荐: open needs ranked for one charity member or volunteer, with the reasons in words.

score =   w.category   × (1 if the need's category was declared, else 0; 0 for all when none declared)
        + w.region     × (same township 1, same county 0.7, same city 0.2, elsewhere 0)
        + w.urgency    × (urgent 1, soon 0.5, normal 0)
        + w.waiting    × min(days since published, cap) / cap
        + w.little_aid × 1 / (1 + aid the household received in the last 12 months)
        + w.cliff_tier × (1 for 低保边缘 and 刚性支出困难 households, else 0)

Five queries whatever the number of needs (six for a charity member, whose organization is read): the
candidates with their households' aid counts, the k-anonymity counts, the chosen needs, and the public
projection (two). Candidates are narrowed in SQL to the cities of the declared (or home) regions."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from ..errors import Forbidden
from ..i18n import N_, _, ngettext
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs import listing
from ..needs.models import Need
from ..registry.models import Household
from ..vocabulary import TIERS, label
from .profile import ServiceProfile, profile_of
from .weights import merged

CLIFF_TIERS = ("marginal", "rigid_expense")
URGENCY_SCORE = {"urgent": 1.0, "soon": 0.5}
URGENCY_WORDS = {"urgent": N_("紧急"), "soon": N_("较急")}
# Region closeness: 3 same township, 2 same county, 1 same city, 0 elsewhere.
REGION_SCORE = {3: 1.0, 2: 0.7, 1: 0.2, 0: 0.0}
REGION_WORDS = {3: N_("同乡镇"), 2: N_("同县"), 1: N_("同市")}
# Ranking a whole province's open needs in Python would be slow; past this many candidates the most
# urgent and longest-waiting are kept (the SQL order), which is where the best scores are anyway.
MAX_CANDIDATES = 5000
FEW_AID = 2  # "近12个月仅获N次帮扶" is a reason up to this many; more aid is no reason to recommend


@dataclass(frozen=True)
class Recommendation:
    need: listing.PublicNeed
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class _Candidate:
    id: int
    household_id: int
    region_code: str
    category: str
    urgency: str
    deadline: date
    published_at: object
    tier: str
    members: int
    head_birth_year: int | None
    aid: int


def eligible_profile(session: Session, user) -> ServiceProfile:
    """The profile to rank by; Forbidden with a message the page shows when the user may not claim."""
    profile = profile_of(session, user)
    org = profile.organization
    if org is not None and org.status != "approved":
        if org.status == "suspended":
            message = _("您所在的组织「%(name)s」已被暂停，暂不能认领需求，因此没有推荐。"
                        "审核通过后，这里会按您的服务意向推荐需求。", name=org.name)
        else:
            message = _("您所在的组织「%(name)s」尚未通过民政部门审核，暂不能认领需求，因此没有推荐。"
                        "审核通过后，这里会按您的服务意向推荐需求。", name=org.name)
        raise Forbidden(message)
    return profile


def recommend(session: Session, user, weights: dict | None, today: date, limit: int = 20, *,
              profile: ServiceProfile | None = None) -> list[Recommendation]:
    """`profile`, from `eligible_profile`, saves reading the organization again when the caller has it."""
    profile = profile or eligible_profile(session, user)
    w = merged(weights)
    candidates = _candidates(session, profile, services_only=user.role == "volunteer", today=today)
    if not candidates:
        return []
    places = {(c.region_code, c.tier) for c in candidates}
    # k-anonymity: closeness is judged at the granularity the public page shows, so neither a "同乡镇"
    # reason nor the order itself tells a township that the listing generalises to the county.
    townships = listing.nameable_townships(session, places)
    refs = profile.regions or ((profile.home,) if profile.home else ())
    scored = []
    for c in candidates:
        score, reasons = _score(c, profile, refs, townships[(c.region_code, c.tier)], w, today)
        scored.append((score, c, reasons))
    scored.sort(key=lambda item: (-item[0], item[1].deadline, item[1].id))
    top = scored[:limit]
    needs = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_([c.id for _, c, _ in top])))}
    # The allowlist projection of the needs page, so this page shows nothing the public one does not.
    public = listing.project(session, [(needs[c.id], c.tier, c.members, c.head_birth_year) for _, c, _ in top],
                              today)
    return [Recommendation(p, round(score, 3), reasons) for p, (score, _, reasons) in zip(public, top, strict=True)]


def _candidates(session: Session, profile: ServiceProfile, *, services_only: bool, today: date) -> list[_Candidate]:
    aid = _aid_in_last_year(today)
    query = (select(Need.id, Need.household_id, Need.region_code, Need.category, Need.urgency, Need.deadline,
                    Need.published_at, Household.tier, Household.members, Household.head_birth_year,
                    aid.label("aid"))
             .join(Household, Household.id == Need.household_id)
             .where(Need.status == "open", Need.deadline >= today))
    if services_only:  # claims.service: a volunteer on their own may claim service needs only
        query = query.where(Need.form == "service")
    prefixes = {_city_prefix(code) for code in (profile.regions or (profile.home,)) if code}
    if prefixes:
        query = query.where(or_(*(Need.region_code.startswith(p) for p in sorted(prefixes))))
    urgency = case({"urgent": 0, "soon": 1}, value=Need.urgency, else_=2)
    query = query.order_by(urgency, Need.published_at, Need.id).limit(MAX_CANDIDATES)
    return [_Candidate(*row) for row in session.execute(query)]


def _aid_in_last_year(today: date):
    """Per need, the effective entries (ledger/effective.py) of its household in the 365 days up to
    `today`: a line of corrections counts once, a voided entry not at all."""
    return (select(func.count(LedgerEntry.id))
            .where(LedgerEntry.household_id == Need.household_id,
                   LedgerEntry.occurred_on > today - timedelta(days=365), LedgerEntry.occurred_on <= today,
                   effective.is_effective())
            .correlate(Need).scalar_subquery())


def _city_prefix(code: str) -> str:
    """The code prefix of the city (prefecture) around `code`; a province's code stands for itself."""
    return code[:2] if code[2:6] == "0000" else code[:4]


def _closeness(region_code: str, public_township: str | None, refs) -> int:
    best = 0
    for ref in refs:
        if len(ref) >= 9 and public_township is not None and public_township == ref[:9]:
            return 3
        if ref[4:6] != "00" and region_code[:6] == ref[:6]:
            best = max(best, 2)
        elif ref[2:6] != "0000" and region_code[:4] == ref[:4]:
            best = max(best, 1)
    return best


def _score(c: _Candidate, profile: ServiceProfile, refs, public_township: str | None, w: dict,
           today: date) -> tuple[float, list[str]]:
    days = max((today - c.published_at.date()).days, 0) if c.published_at else 0
    near = _closeness(c.region_code, public_township, refs)
    fits = bool(profile.categories) and c.category in profile.categories
    cliff = c.tier in CLIFF_TIERS
    score = (w["category"] * fits + w["region"] * REGION_SCORE[near]
             + w["urgency"] * URGENCY_SCORE.get(c.urgency, 0.0)
             + w["waiting"] * min(days, w["waiting_cap_days"]) / w["waiting_cap_days"]
             + w["little_aid"] / (1 + c.aid) + w["cliff_tier"] * cliff)
    # A reason is given only for what weighed in the score.
    reasons = []
    if near and w["region"]:
        reasons.append(_(REGION_WORDS[near]))
    if fits and w["category"]:
        reasons.append(_("服务类别相符"))
    if c.urgency in URGENCY_WORDS and w["urgency"]:
        reasons.append(_(URGENCY_WORDS[c.urgency]))
    if days >= 1 and w["waiting"]:
        reasons.append(ngettext("已等待%(num)s天", "已等待%(num)s天", days))
    if c.aid <= FEW_AID and w["little_aid"]:
        reasons.append(_("近12个月未获帮扶") if c.aid == 0 else ngettext("近12个月仅获%(num)s次帮扶", "近12个月仅获%(num)s次帮扶", c.aid))
    if cliff and w["cliff_tier"]:
        reasons.append(label(TIERS, c.tier))
    return score, reasons
