"""综合评估 figures from the maintained tallies (evaluation/tally.py): per organisation inside a staff
member's region subtree with the subtree's totals, and per organisation for the public directory. Each
reads the tally rows asked about (one per organisation and region served), never the evidence."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from ..auth.access import within_sql
from ..i18n import N_, _
from ..organizations.models import Organization
from .models import EvaluationTally
from .tally import COUNTERS, VOLUNTEERS

VOLUNTEERS_LABEL = N_("个人志愿者")  # shown translated (_names)
MIN_PUBLIC_FOLLOWUPS = 5  # the directory shows satisfaction and confirmation only over this many visits


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """The sum of tally rows: counts, the histogram of days from claim to verification, and the rates."""

    organization_id: int | None = None
    name: str = ""
    counts: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)  # whole days -> verifications

    def add(self, row: EvaluationTally) -> None:
        self.counts.update({name: getattr(row, name) for name in COUNTERS})
        self.days.update({int(day): n for day, n in (row.days or {}).items()})

    def merge(self, other: "Figures") -> None:
        self.counts.update(other.counts)
        self.days.update(other.days)

    def __getattr__(self, name: str) -> int:
        if name in COUNTERS:
            return self.counts[name]
        raise AttributeError(name)

    @property
    def confirmation_rate(self) -> float | None:
        return _rate(self.confirmed, self.verified)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.verified)

    @property
    def rejection_rate(self) -> float | None:
        return _rate(self.rejected, self.verified + self.rejected)

    @property
    def mean_satisfaction(self) -> float | None:
        return _rate(self.satisfaction_sum, self.satisfaction_count)

    @property
    def median_days(self) -> float | None:
        """The median of the days histogram (the mean of the two middle values for an even count)."""
        total = sum(self.days.values())
        if not total:
            return None
        middle = [(total - 1) // 2, total // 2]  # 0-based ranks of the middle value(s)
        found, seen = [], 0
        for day in sorted(self.days):
            seen += self.days[day]
            while len(found) < 2 and middle[len(found)] < seen:
                found.append(day)
        return (found[0] + found[1]) / 2

    @property
    def public(self) -> bool:
        """Enough follow-ups for the directory to show the organisation's figures."""
        return self.followups >= MIN_PUBLIC_FOLLOWUPS


@dataclass
class ScopeFigures:
    organizations: list[Figures]
    total: Figures


def in_scope(session: Session, region_code: str | None) -> ScopeFigures:
    """Every organisation (and 个人志愿者) with reviews or follow-ups in the subtree of `region_code`, by
    name with the volunteers last, and the subtree's totals."""
    by_org: dict[int, Figures] = {}
    total = Figures(name=_("合计"))
    for row in session.scalars(select(EvaluationTally).where(within_sql(EvaluationTally.region_code, region_code))):
        by_org.setdefault(row.organization_id, Figures(row.organization_id)).add(row)
    for figures in by_org.values():
        total.merge(figures)
    names = _names(session, set(by_org))
    for org_id, figures in by_org.items():
        figures.name = names.get(org_id) or _("组织 %(id)s", id=org_id)
    ordered = sorted(by_org.values(), key=lambda f: (f.organization_id == VOLUNTEERS, f.name, f.organization_id))
    return ScopeFigures(ordered, total)


def of_organization_in_scope(session: Session, region_code: str | None, organization_id: int) -> Figures | None:
    query = select(EvaluationTally).where(EvaluationTally.organization_id == organization_id,
                                          within_sql(EvaluationTally.region_code, region_code))
    figures = None
    for row in session.scalars(query):
        figures = figures or Figures(organization_id)
        figures.add(row)
    return figures


def of_organizations(session: Session, org_ids: list[int]) -> dict[int, Figures]:
    """organisation id -> its counts over every region, for those with any tally (no days histogram: the
    public directory shows rates, not days). Summed in SQL: an organisation serving a city has a tally
    row per township, thousands in all, and reading them cost the directory most of its time."""
    figures: dict[int, Figures] = {}
    if not org_ids:
        return figures
    sums = [func.sum(getattr(EvaluationTally, name)) for name in COUNTERS]
    rows = session.execute(select(EvaluationTally.organization_id, *sums)
                           .where(EvaluationTally.organization_id.in_(org_ids))
                           .group_by(EvaluationTally.organization_id))
    for org_id, *counts in rows:
        figures[org_id] = Figures(org_id, counts=Counter(dict(zip(COUNTERS, (int(c or 0) for c in counts), strict=True))))
    return figures


def _names(session: Session, org_ids: set[int]) -> dict[int, str]:
    names = {VOLUNTEERS: _(VOLUNTEERS_LABEL)}
    real = org_ids - {VOLUNTEERS}
    if real:
        names |= dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(real))).all())
    return names


def organization_name(session: Session, organization_id: int) -> str | None:
    """The name the staff page shows for `organization_id` (0: the volunteers), None when there is none."""
    return _names(session, {organization_id}).get(organization_id)
