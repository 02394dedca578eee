"""Arranging volunteering tests: registered volunteers and shifts on a claimed service need."""

from datetime import datetime, timedelta

from marketplace.volunteering import registration, shifts
from support import PASSWORD


def volunteer(world, name: str, skills=(), organization_id=None) -> int:
    """A volunteer registered through the real service (profile with encrypted name and phone)."""
    with world.tx() as s:
        user = registration.register(s, world.vault, registration.Registration(
            email=f"{name}@volunteer.cn", password=PASSWORD, display_name=name, real_name="张志愿",
            phone="13800000000", region_code="341621", skills=list(skills), organization_id=organization_id))
        return user.id


ADDRESS = "涡阳县楚店镇幸福村三组18号"


def service_need(world, claimed_by_charity: bool = True):
    """A service need whose live claim is held by the world's charity (so its members coordinate); the
    household's address is stored encrypted, as an import would."""
    from marketplace.claims import service as claims

    need = world.need("open", form="service", category="care", title="独居老人上门助浴",
                      description="每周上门助浴一次。", household=world.household(address=ADDRESS))
    if claimed_by_charity:
        with world.tx() as s:
            claims.claim_need(s, world.user(s, world.charity), s.get(type(need), need.id))
    return need


def shift(world, need, *, starts_in=timedelta(days=3), hours: int = 2, capacity: int = 2, skills=(),
          actor=None):
    """A shift starting `starts_in` from now (rounded to the minute), created by the charity member."""
    from marketplace.needs.models import Need

    start = (datetime.now(shifts.LOCAL) + starts_in).replace(second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    with world.tx() as s:
        return shifts.create_shift(s, world.user(s, actor or world.charity), s.get(Need, need.id), on=start.date(),
                                   start=start.time(), end=end.time(), capacity=capacity,
                                   required_skills=list(skills),
                                   now=start - starts_in - timedelta(minutes=1))
