"""Routing rules (分类推送规则): which department sees a new need of a category in a county or city first, and
for how many working days. Configured by staff with the 规则配置 duty at county level and up, each inside
their own region. Services flush, never commit."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlmodel import Session

from .. import paging
from ..auth.access import found, in_scope, in_scope_sql, require_duty, scope_prefix
from ..errors import Conflict, Forbidden, Invalid
from ..i18n import N_, _
from ..modelbase import utcnow
from ..organizations.models import Organization
from ..paging import Page, PageRequest
from ..regions.models import Region
from ..vocabulary import CATEGORIES
from .models import RoutingRule

RULE_LEVELS = ("county", "prefecture")
MIN_DAYS, MAX_DAYS = 1, 30


@dataclass
class RuleInput:
    category: str
    region_code: str
    organization_id: int | None
    working_days: int | None


def require_configurer(actor) -> None:
    """规则配置 duty, and a county or wider region: a township office routes nothing of its own."""
    require_duty(actor, "rules")
    if not actor.region_code or len(actor.region_code) != 6:
        raise Forbidden(_("分类推送规则由县级及以上民政部门配置。"))


def places(session: Session, actor) -> list[Region]:
    """The counties and cities a rule of the actor may cover: their own region and what lies under it."""
    query = select(Region).where(Region.level.in_(RULE_LEVELS), Region.current.is_(True),
                                 in_scope_sql(actor, Region.code))
    return list(session.scalars(query.order_by(Region.code)))


def departments(session: Session, actor) -> list[Organization]:
    """Approved government departments a rule of the actor may name: those inside the actor's region, and
    those of the city or province above it (a city bureau may serve its counties)."""
    region = actor.region_code or ""
    above = [code for code in (region[:2] + "0000", region[:4] + "00") if code != region]
    query = select(Organization).where(
        Organization.kind == "government", Organization.status == "approved",
        or_(in_scope_sql(actor, Organization.region_code), Organization.region_code.in_(above)))
    return list(session.scalars(query.order_by(Organization.region_code, Organization.name)))


def _check(session: Session, actor, data: RuleInput) -> Organization:
    if data.category not in CATEGORIES:
        raise Invalid(_("请选择有效的需求类别。"), "category")
    place = session.get(Region, (data.region_code or "").strip())
    if place is None or place.level not in RULE_LEVELS or not in_scope(actor, place.code):
        raise Invalid(_("请选择您负责范围内的县（区）或地市。"), "region_code")
    org = session.get(Organization, data.organization_id) if data.organization_id else None
    if org is None or org.id not in {d.id for d in departments(session, actor)}:
        raise Invalid(_("请选择已通过审核的政府部门。"), "organization_id")
    # The department and the place must overlap: the place lies in the department's area (a county under a
    # city bureau), or the department's office in the place (a city bureau registered in its seat district).
    if not (place.code.startswith(scope_prefix(org.region_code)) or org.region_code.startswith(scope_prefix(place.code))):
        raise Invalid(_("所选部门不在该地区，也不是该地区的上级部门，请重新选择。"), "organization_id")
    if data.working_days is None or not MIN_DAYS <= data.working_days <= MAX_DAYS:
        raise Invalid(_("办理期限须为%(low)s至%(high)s个工作日。", low=MIN_DAYS, high=MAX_DAYS), "working_days")
    return org


def _refuse_twin(session: Session, category: str, region_code: str, exclude: int | None = None) -> None:
    query = select(RoutingRule.id).where(RoutingRule.category == category, RoutingRule.region_code == region_code,
                                         RoutingRule.active.is_(True))
    if exclude is not None:
        query = query.where(RoutingRule.id != exclude)
    if session.scalars(query).first() is not None:
        raise Conflict(_("该地区的这一需求类别已有一条启用中的推送规则，请修改或停用那一条。"))


def create(session: Session, actor, data: RuleInput) -> RoutingRule:
    require_configurer(actor)
    _check(session, actor, data)
    _refuse_twin(session, data.category, data.region_code)
    rule = RoutingRule(category=data.category, region_code=data.region_code, organization_id=data.organization_id,
                       working_days=data.working_days, created_by_id=actor.id)
    session.add(rule)
    session.flush()
    return rule


def update(session: Session, actor, rule: RoutingRule, data: RuleInput) -> RoutingRule:
    require_configurer(actor)
    _check(session, actor, data)
    if rule.active:
        _refuse_twin(session, data.category, data.region_code, exclude=rule.id)
    rule.category, rule.region_code = data.category, data.region_code
    rule.organization_id, rule.working_days = data.organization_id, data.working_days
    rule.updated_at = utcnow()
    session.flush()
    return rule


def set_active(session: Session, actor, rule: RoutingRule, active: bool) -> RoutingRule:
    """Disabling stops new routing only: needs already with the department keep their time."""
    require_configurer(actor)
    if active and not rule.active:
        _refuse_twin(session, rule.category, rule.region_code, exclude=rule.id)
    rule.active, rule.updated_at = active, utcnow()
    session.flush()
    return rule


def get_rule(session: Session, actor, rule_id: int) -> RoutingRule:
    """A rule of the actor's region; another region's is answered as missing."""
    require_configurer(actor)
    rule = session.get(RoutingRule, rule_id)
    if rule is not None and not in_scope(actor, rule.region_code):
        rule = None
    return found(rule, N_("推送规则"))


def listed(session: Session, actor, want: PageRequest) -> Page:
    require_configurer(actor)
    query = (select(RoutingRule).where(in_scope_sql(actor, RoutingRule.region_code))
             .order_by(RoutingRule.active.desc(), RoutingRule.region_code, RoutingRule.category, RoutingRule.id))
    return paging.counted(session, query, want, scalars=True)


def rules_for(session: Session, category: str, region_code: str) -> list[RoutingRule]:
    """The active rules for a need, most specific first: its county's, then its city's."""
    county, city = region_code[:6], region_code[:4] + "00"
    rules = session.scalars(select(RoutingRule).where(RoutingRule.category == category,
                                                      RoutingRule.active.is_(True),
                                                      RoutingRule.region_code.in_((county, city)))).all()
    return sorted(rules, key=lambda rule: (rule.region_code != county, rule.id))
