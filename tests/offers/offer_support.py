"""Offers made through the real services for the tests of tests/offers."""

from datetime import date, timedelta

from marketplace.offers import service


def make_manager(world, user_id: int, role: str = "administrator") -> None:
    with world.tx() as s:
        world.user(s, user_id).org_role = role


def offer_input(**overrides) -> service.OfferInput:
    values = dict(title="困境学生助学金", description="为低保边缘家庭的在读学生提供学费补助。", categories=["education"],
                  forms=["money"], tiers=[], age_bands=[], regions=["341621"], budget_fen=1_000_000, quantity=None,
                  unit=None, cap_fen=300_000, cap_quantity=None, starts_on=date.today(),
                  ends_on=date.today() + timedelta(days=180), selection="由民政部门定向转介，按困难程度排序。")
    values.update(overrides)
    return service.OfferInput(**values)


def publish(world, user_id=None, **overrides):
    user_id = user_id or world.charity
    make_manager(world, user_id)
    with world.tx() as s:
        return service.publish(s, world.user(s, user_id), offer_input(**overrides))


def second_org(world, name="蒙城县慈善协会", uscc="51341622MJ0000003X"):
    """Another approved organisation with an administrator; returns (org id, admin id)."""
    from marketplace.auth.service import create_user
    from marketplace.organizations.models import Organization
    from support import PASSWORD

    with world.tx() as s:
        org = Organization(name=name, uscc=uscc, region_code="341622", status="approved")
        s.add(org)
        s.flush()
        admin = create_user(s, email=f"admin{org.id}@other.org.cn", password=PASSWORD, display_name="other",
                            role="charity", organization_id=org.id)
        admin.org_role = "administrator"
        return org.id, admin.id
