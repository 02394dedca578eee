"""Chain entries at chosen dates, written through ledger.append (the only writer), for the rule tests."""

from datetime import date, timedelta

TODAY = date(2026, 11, 20)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def entry(world, household, *, category, title="帮扶", source="charity", occurred_on=TODAY, organization_id=None,
          **facts):
    from marketplace.ledger import service as ledger

    with world.tx() as s:
        return ledger.append(s, household, source=source, category=category, title=title, occurred_on=occurred_on,
                             organization_id=organization_id, amount_fen=100000, **facts)


def other_org(world) -> int:
    from marketplace.organizations.models import Organization

    with world.tx() as s:
        org = Organization(name="蒙城县爱心家园", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        return org.id


def matches(world, household, today=TODAY, **proposed):
    from marketplace.duplicates.check import Proposed, check

    with world.tx() as s:
        return check(s, household, Proposed(**proposed), today)
