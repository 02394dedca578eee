"""Departments and routing rules for the routing tests, made through the real services."""

from datetime import timedelta

from sqlalchemy import update

from marketplace.auth.service import create_user
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.routing import rules
from marketplace.routing.models import NeedRouting
from support import PASSWORD

_n = [0]


def department(world, name="涡阳县教育局", region="341621", dept="education", email=None, status="approved"):
    """(organisation id, member user id) of a government department."""
    _n[0] += 1
    with world.tx() as s:
        org = Organization(name=name, uscc=f"11{region}MB{_n[0]:07d}X"[:18], kind="government", department=dept,
                           region_code=region, status=status)
        s.add(org)
        s.flush()
        member = create_user(s, email=email or f"dept{_n[0]}@{region}.gov.cn", password=PASSWORD,
                             display_name=name, role="charity", organization_id=org.id)
        return org.id, member.id


def rule(world, org_id, category="education", region="341621", days=5, actor=None):
    with world.tx() as s:
        return rules.create(s, world.user(s, actor or world.city), rules.RuleInput(category, region, org_id, days)).id


def expire(world, need_id):
    """Move a routed need's time into the past, as the clock would."""
    past = utcnow() - timedelta(minutes=1)
    with world.tx() as s:
        s.execute(update(NeedRouting).where(NeedRouting.need_id == need_id).values(until=past))
        s.execute(update(Need).where(Need.id == need_id).values(held_until=past))
