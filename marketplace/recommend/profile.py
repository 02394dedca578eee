"""The declared service profile (服务意向): which categories of need and which counties or townships a
volunteer, or a charity member's organization, wants to serve. Services flush, never commit."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import require_role, scope_prefix
from ..auth.models import AppUser
from ..errors import Forbidden, Invalid
from ..i18n import _, is_english
from ..needs import listing
from ..organizations.models import Organization
from ..regions.models import Region
from ..vocabulary import CATEGORIES

MAX_REGIONS = 90  # what the 1,000-character column holds in township codes, with separators
REGION_LEVELS = ("county", "township")


@dataclass(frozen=True)
class ServiceProfile:
    categories: frozenset[str]
    regions: tuple[str, ...]
    home: str | None  # the user's (volunteer) or organization's (charity) own region
    organization: Organization | None

    @property
    def declared(self) -> bool:
        return bool(self.categories or self.regions)


def _listed(codes) -> str:
    return (", " if is_english() else "、").join(codes)


def owner(session: Session, user) -> AppUser | Organization:
    """Whose declaration `user` reads and edits: a volunteer's own, a charity member's organization's.
    (Any member may edit it for now; organisation roles come with registration.)"""
    require_role(user, "charity", "volunteer")
    if user.role == "volunteer":
        return user
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    if org is None:
        raise Forbidden(_("您的账号尚未关联慈善组织，请联系管理员。"))
    return org


def profile_of(session: Session, user) -> ServiceProfile:
    holder = owner(session, user)
    org = holder if isinstance(holder, Organization) else None
    return ServiceProfile(frozenset(holder.service_categories.split()), tuple(holder.service_regions.split()),
                          holder.region_code, org)


def save(session: Session, user, categories: list[str], regions: list[str]) -> ServiceProfile:
    """Replace the declaration. Codes are checked here, not only by the form, so an API or the future
    registration page cannot store a category or place that does not exist."""
    holder = owner(session, user)
    categories = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    regions = list(dict.fromkeys(r.strip() for r in regions if r.strip()))
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise Invalid(_("服务类别「%(codes)s」不存在，请从列表中选择。", codes=_listed(unknown)), "categories")
    if len(regions) > MAX_REGIONS:
        raise Invalid(_("服务地区最多选择%(max)s个；服务整个县时请直接选择该县。", max=MAX_REGIONS), "regions")
    known = set()
    if regions:
        query = select(Region.code).where(Region.code.in_(regions), Region.level.in_(REGION_LEVELS),
                                          Region.current.is_(True))
        known = set(session.scalars(query))
    bad = [r for r in regions if r not in known]
    if bad:
        raise Invalid(_("服务地区「%(codes)s」不是有效的县级或乡镇级行政区划代码，请从列表中选择。", codes=_listed(bad)),
                      "regions")
    # Stored in vocabulary and code order, so the same choice always reads the same.
    holder.service_categories = " ".join(c for c in CATEGORIES if c in categories)
    holder.service_regions = " ".join(sorted(regions))
    session.flush()
    return profile_of(session, user)


@dataclass(frozen=True)
class CountyChoice:
    county: Region
    townships: list[Region]


def region_choices(session: Session, profile: ServiceProfile) -> list[CountyChoice]:
    """The counties (with their townships) a person may pick from: those of their home area, or the
    counties with open needs when they have none, plus whatever they declared before, so saving the form
    never drops an earlier choice silently."""
    counties: dict[str, Region] = {}
    if profile.home:
        prefix = scope_prefix(profile.home[:6])
        query = select(Region).where(Region.level == "county", Region.current.is_(True),
                                     Region.code.startswith(prefix))
        counties.update((r.code, r) for r in session.scalars(query))
    else:
        counties.update((r.code, r) for r in listing.counties(session))
    missing = {code[:6] for code in profile.regions} - set(counties)
    if missing:
        counties.update((r.code, r) for r in session.scalars(select(Region).where(Region.code.in_(missing))))
    townships: dict[str, list[Region]] = {code: [] for code in counties}
    if counties:
        query = (select(Region).where(Region.level == "township", Region.parent_code.in_(counties))
                 .order_by(Region.code))
        for town in session.scalars(query):
            if town.current or town.code in profile.regions:
                townships[town.parent_code].append(town)
    return [CountyChoice(counties[code], townships[code]) for code in sorted(counties)]


def region_names(session: Session, codes) -> dict[str, str]:
    codes = set(codes)
    if not codes:
        return {}
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
