"""Needs published a chosen number of days ago and chain entries at chosen dates, for the ranking tests."""

from datetime import UTC, date, datetime, time, timedelta

TODAY = date.today()


def need(world, household, *, category="care", form="money", urgency="normal", waited=0, title="冬季取暖费用缺口",
         poster=None):
    from sqlalchemy import update

    from marketplace.needs import service as needs
    from marketplace.needs.models import Need

    data = needs.NeedInput(category=category, form=form, title=title, description="家中老人行动不便。",
                           urgency=urgency, deadline=TODAY + timedelta(days=30),
                           target_amount_fen=200000 if form in ("money", "retrofit") else None)
    with world.tx() as s:
        # City staff by default: the fixtures post in both counties of 亳州.
        created = needs.create_need(s, world.user(s, poster or world.city), household, data, publish=True)
        # Noon UTC: the same calendar day whatever the machine's time zone.
        published = datetime.combine(TODAY - timedelta(days=waited), time(12), tzinfo=UTC)
        s.execute(update(Need).where(Need.id == created.id).values(published_at=published))
        return created.id


def aid(world, household, *, days_ago=30, amount_fen=50000):
    """A chain entry in a category no duplicate rule checks, so it never blocks posting a need."""
    from marketplace.ledger import service as ledger

    with world.tx() as s:
        return ledger.append(s, household, source="government", kind="aid", category="employment",
                             title="临时救助金", amount_fen=amount_fen,
                             occurred_on=TODAY - timedelta(days=days_ago)).id


def declare(world, user_id, categories="", regions=""):
    """Set a profile directly (the form has tests of its own): on the organization for charity members."""
    from marketplace.organizations.models import Organization

    with world.tx() as s:
        user = world.user(s, user_id)
        holder = s.get(Organization, user.organization_id) if user.organization_id else user
        holder.service_categories, holder.service_regions = categories, regions


def ranked(world, user_id, weights=None):
    from marketplace.recommend.service import recommend

    with world.tx() as s:
        return recommend(s, world.user(s, user_id), weights, TODAY)
