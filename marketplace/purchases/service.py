"""政府购买服务: staff with the purchasing duty record a purchase project and assign service needs to it; the
provider's members then claim them (needs/holds.py refuses everyone else). Services flush, never commit."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, func, or_, select, update
from sqlmodel import Session

from .. import paging
from ..auth import access
from ..auth.access import found, in_scope, in_scope_sql, require_role, require_staff_for, scope_prefix
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import _, is_english
from ..modelbase import utcnow
from ..needs import holds, lifecycle
from ..needs.models import Need
from ..organizations.models import Organization
from ..outbox.service import need_changed
from ..paging import Page, PageRequest
from ..privacy.pii_scan import scan
from ..regions.models import Region
from ..vocabulary import CATEGORIES, label
from ..volunteering.models import Shift
from .models import PurchaseProject

MAX_REGIONS = 90  # what the 1,000-character column holds in township codes, with separators
PLACE_LEVELS = ("county", "township")
CANDIDATES = 20


@dataclass
class ProjectInput:
    title: str
    provider_id: int | None
    budget_fen: int | None
    starts_on: date | None
    ends_on: date | None
    categories: list[str]
    regions: list[str]
    target_households: int | None = None
    target_hours: float | None = None


def _listed(codes) -> str:
    return (", " if is_english() else "、").join(codes)


def provider_choices(session: Session, actor) -> list[Organization]:
    """Approved social forces of the actor's city (a county bureau buys from organisations near it);
    departments are not providers: a purchase is from society."""
    prefix = (actor.region_code or "")[:4]
    if not prefix.isdigit():
        return []
    query = (select(Organization).where(Organization.status == "approved", Organization.kind != "government",
                                        access.within_sql(Organization.region_code, prefix + "00"))
             .order_by(Organization.name, Organization.id))
    return list(session.scalars(query))


def create(session: Session, actor, data: ProjectInput) -> PurchaseProject:
    access.require_duty(actor, "purchasing")
    title = (data.title or "").strip()
    if not 4 <= len(title) <= 80:
        raise Invalid(_("项目名称须为4至80字。"), "title")
    scan({"title": title}, labels={"title": _("项目名称")})
    org = session.get(Organization, data.provider_id) if data.provider_id else None
    if org is None or org.id not in {o.id for o in provider_choices(session, actor)}:
        raise Invalid(_("请选择本市已通过审核的社会组织或企业作为承接机构。"), "provider_id")
    if not data.budget_fen or data.budget_fen <= 0:
        raise Invalid(_("请填写项目预算（元）。"), "budget")
    if data.starts_on is None or data.ends_on is None:
        raise Invalid(_("请填写项目起止日期。"), "starts_on" if data.starts_on is None else "ends_on")
    if data.ends_on < data.starts_on:
        raise Invalid(_("结束日期不能早于开始日期。"), "ends_on")
    if not data.target_households and not data.target_hours:
        raise Invalid(_("请至少填写目标服务户数或目标服务时长之一，用于衡量项目进度和核算支出。"), "target_households")
    categories = _categories(data.categories)
    regions = _regions(session, actor, data.regions)
    project = PurchaseProject(
        title=title, provider_id=org.id, region_code=actor.region_code, regions=" ".join(regions),
        categories=" ".join(categories), budget_fen=data.budget_fen, starts_on=data.starts_on, ends_on=data.ends_on,
        target_households=data.target_households or None,
        target_hours=float(data.target_hours) if data.target_hours else None, created_by_id=actor.id)
    session.add(project)
    session.flush()
    return project


def _categories(chosen: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(c.strip() for c in chosen if c and c.strip()))
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise Invalid(_("服务类别「%(codes)s」不存在，请从列表中选择。", codes=_listed(unknown)), "categories")
    if not chosen:
        raise Invalid(_("请至少选择一个服务类别。"), "categories")
    return [c for c in CATEGORIES if c in chosen]  # vocabulary order: the same choice always reads the same


def _regions(session: Session, actor, chosen: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(r.strip() for r in chosen if r and r.strip()))
    if not chosen:
        raise Invalid(_("请至少选择一个服务地区。"), "regions")
    if len(chosen) > MAX_REGIONS:
        raise Invalid(_("服务地区最多选择%(max)s个；服务整个县时请直接选择该县。", max=MAX_REGIONS), "regions")
    known = set(session.scalars(select(Region.code).where(Region.code.in_(chosen), Region.level.in_(PLACE_LEVELS),
                                                          Region.current.is_(True))))
    bad = [r for r in chosen if r not in known]
    if bad:
        raise Invalid(_("服务地区「%(codes)s」不是有效的县级或乡镇级行政区划代码，请从列表中选择。", codes=_listed(bad)),
                      "regions")
    outside = [r for r in chosen if not in_scope(actor, r)]
    if outside:
        raise Invalid(_("服务地区「%(codes)s」不在您负责的行政区划内。", codes=_listed(outside)), "regions")
    return sorted(chosen)


def place_choices(session: Session, actor) -> list[tuple[Region, list[Region]]]:
    """The counties (with their townships) of the actor's region, for the places a project serves."""
    code = actor.region_code or ""
    prefix = scope_prefix(code)
    if not prefix.isdigit():
        return []
    if len(code) > 6:  # a township's staff: its county, with only that township to choose
        counties = list(session.scalars(select(Region).where(Region.code == code[:6])))
        towns = list(session.scalars(select(Region).where(Region.code == code, Region.current.is_(True))))
        return [(c, towns) for c in counties]
    counties = list(session.scalars(select(Region).where(Region.level == "county", Region.current.is_(True),
                                                         access.within_sql(Region.code, code)).order_by(Region.code)))
    towns: dict[str, list[Region]] = {c.code: [] for c in counties}
    if counties:
        for town in session.scalars(select(Region).where(Region.level == "township", Region.current.is_(True),
                                                         Region.parent_code.in_(towns)).order_by(Region.code)):
            towns[town.parent_code].append(town)
    return [(c, towns[c.code]) for c in counties]


def _ancestors(code: str) -> list[str]:
    """The divisions whose subtree holds `code` (its county, city, province), as their codes."""
    return [c for c in (code[:2] + "0000", code[:4] + "00", code[:6], code[:9]) if len(c) < len(code) or c == code]


def _readable_sql(actor):
    """Projects bought in the actor's subtree, or by a division above them (a county's project is its
    townships' staff's work too)."""
    return or_(in_scope_sql(actor, PurchaseProject.region_code),
               PurchaseProject.region_code.in_(_ancestors(actor.region_code or "")))


def readable(actor, project: PurchaseProject) -> bool:
    code = actor.region_code or ""
    return in_scope(actor, project.region_code) or code.startswith(scope_prefix(project.region_code))


def get(session: Session, actor, project_id: int) -> PurchaseProject:
    require_role(actor, "staff")
    project = found(session.get(PurchaseProject, project_id), _("购买服务项目"))
    if not readable(actor, project):
        raise Forbidden(_("该项目不在您负责的行政区划内。"))
    return project


def projects(session: Session, actor, want: PageRequest = PageRequest()) -> Page:
    """The actor's projects, those under way first, newest first (a region has a handful a year)."""
    require_role(actor, "staff")
    query = (select(PurchaseProject).where(_readable_sql(actor))
             .order_by(PurchaseProject.status, PurchaseProject.id.desc()))
    return paging.counted(session, query, want, scalars=True)


def project_needs(session: Session, project: PurchaseProject, want: PageRequest = PageRequest()) -> Page:
    query = select(Need).where(Need.purchase_project_id == project.id).order_by(Need.id.desc())
    return paging.uncounted(session, query, want, scalars=True)


def serves(project: PurchaseProject, need: Need) -> bool:
    """The need lies in one of the places the project serves."""
    return any(need.region_code.startswith(code) for code in project.regions.split())


def _fitting(project: PurchaseProject, now):
    places = [access.within_sql(Need.region_code, code) for code in project.regions.split()]
    return (Need.status == "open", Need.form == "service", Need.category.in_(project.categories.split()),
            Need.purchase_project_id.is_(None), or_(*places) if places else false(),
            or_(Need.held_until.is_(None), Need.held_until <= now))


def candidates(session: Session, actor, project: PurchaseProject) -> list[Need]:
    """Open service needs the actor could assign to the project: of its categories and places, in the
    actor's scope, held by no one, without volunteer shifts; the soonest deadlines first."""
    if project.status != "active" or not actor.has_duty("purchasing"):
        return []
    has_shift = select(Shift.id).where(Shift.need_id == Need.id, Shift.status == "active").exists()
    query = (select(Need).where(*_fitting(project, utcnow()), in_scope_sql(actor, Need.region_code), ~has_shift)
             .order_by(Need.deadline, Need.id).limit(CANDIDATES))
    return list(session.scalars(query))


def assign(session: Session, actor, project: PurchaseProject, need: Need, today: date | None = None) -> Need:
    """Give a service need to the project: its provider alone may claim it from now on."""
    require_staff_for(actor, need.region_code, duty="purchasing")
    if not readable(actor, project):
        raise Forbidden(_("该项目不在您负责的行政区划内。"))
    today = today or date.today()
    if project.status != "active" or project.ends_on < today:
        raise Conflict(_("该项目已结束，不能再纳入需求。"))
    if need.purchase_project_id is not None:
        raise Conflict(_("该需求已纳入政府购买服务项目。"))
    if need.form != "service":
        raise Invalid(_("只有服务类需求可以纳入政府购买服务项目。"), "need_id")
    if need.category not in project.categories.split():
        raise Invalid(_("该需求的类别「%(category)s」不在项目的服务类别内。", category=label(CATEGORIES, need.category)),
                      "need_id")
    if not serves(project, need):
        raise Invalid(_("该需求所在地区不在项目的服务地区内。"), "need_id")
    if need.status != "open":
        raise Conflict(_("该需求已被认领或已不再开放，不能纳入项目。"))
    if holds.held_for(need) is not None:
        raise Conflict(_("该需求正由其他机构办理或已定向转介，期满或对方答复后才能纳入项目。"))
    if session.scalar(select(func.count()).select_from(Shift).where(Shift.need_id == need.id,
                                                                     Shift.status == "active")):
        raise Conflict(_("该需求已安排志愿服务班次，请先取消班次再纳入项目。"))
    now = utcnow()
    result = session.execute(
        update(Need).where(Need.id == need.id, Need.version == need.version, *_fitting(project, now))
        .values(purchase_project_id=project.id, version=Need.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(need)
    if result.rowcount != 1:
        raise Conflict(_("该需求刚刚被他人认领、转介或纳入项目，请刷新后再试。"))
    lifecycle.note(session, need, actor.id, f"纳入政府购买服务项目「{project.title}」")
    need_changed(session, need.id)  # the listing and search show 政府购买服务
    session.flush()
    return need


def unassign(session: Session, actor, project: PurchaseProject, need: Need) -> Need:
    """Take a need nobody has claimed yet out of the project: it returns to the public list."""
    require_staff_for(actor, need.region_code, duty="purchasing")
    if need.purchase_project_id != project.id:
        raise Conflict(_("该需求不属于这个项目。"))
    now = utcnow()
    result = session.execute(
        update(Need).where(Need.id == need.id, Need.version == need.version, Need.status == "open",
                           Need.purchase_project_id == project.id)
        .values(purchase_project_id=None, version=Need.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(need)
    if result.rowcount != 1:
        raise Conflict(_("承接机构已认领该需求，不能再移出项目。"))
    lifecycle.note(session, need, actor.id, f"移出政府购买服务项目「{project.title}」")
    need_changed(session, need.id)
    session.flush()
    return need


def provider_names(session: Session, projects_) -> dict[int, str]:
    ids = {p.provider_id for p in projects_}
    if not ids:
        return {}
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def provided(session: Session, actor, want: PageRequest = PageRequest()) -> Page:
    """The projects the actor's organisation carries out as provider, newest first."""
    require_role(actor, "charity")
    if not actor.organization_id:
        return paging.of_rows([], want)
    query = (select(PurchaseProject).where(PurchaseProject.provider_id == actor.organization_id)
             .order_by(PurchaseProject.status, PurchaseProject.id.desc()))
    return paging.counted(session, query, want, scalars=True)


def waiting_for_provider(session: Session, actor, want: PageRequest = PageRequest()) -> Page:
    """Open needs of the organisation's projects, waiting for its members to claim them, soonest first."""
    require_role(actor, "charity")
    if not actor.organization_id:
        return paging.of_rows([], want)
    mine = select(PurchaseProject.id).where(PurchaseProject.provider_id == actor.organization_id)
    query = (select(Need).where(Need.purchase_project_id.in_(mine), Need.status == "open")
             .order_by(Need.deadline, Need.id))
    return paging.uncounted(session, query, want, scalars=True)
