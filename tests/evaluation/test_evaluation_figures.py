"""综合评估: each figure on a hand-built scenario of reviews and follow-ups (evaluation_support.mixed), the
maintained tallies equal to a full recount, and concurrent reviews that add up."""

import threading
import time

from evaluation_support import follow_up, mixed
from sqlalchemy import select

from marketplace.db import transaction
from marketplace.evaluation import figures, tally
from marketplace.evaluation.models import EvaluationTally
from marketplace.needs.models import Need


def _rows(engine) -> dict:
    with transaction(engine) as s:
        return {(r.organization_id, r.region_code): ({name: getattr(r, name) for name in tally.COUNTERS}, r.days)
                for r in s.scalars(select(EvaluationTally))}


def test_each_figure_of_the_mixed_scenario(world):
    mixed(world)
    with world.tx() as s:
        scope = figures.in_scope(s, "341621")
    charity, volunteers = scope.organizations
    assert (charity.organization_id, charity.name) == (world.org_id, "涡阳县慈善协会")
    assert (volunteers.organization_id, volunteers.name) == (0, "个人志愿者")
    assert (charity.verified, charity.rejected, charity.confirmed, charity.on_time) == (4, 2, 3, 3)
    assert charity.confirmation_rate == 3 / 4  # A, C and pledge E by the household's code; B without
    assert charity.on_time_rate == 3 / 4  # C came in after its deadline
    assert charity.rejection_rate == 2 / 6  # D and pledge F
    assert charity.mean_satisfaction == (5 + 4 + 3) / 3  # the visit to C found nothing arrived: no rating
    assert charity.followups == 4
    assert dict(charity.days) == {10: 1, 3: 1, 5: 1, 2: 1}
    assert charity.median_days == (3 + 5) / 2
    assert (volunteers.verified, volunteers.confirmation_rate, volunteers.on_time_rate, volunteers.median_days) \
        == (1, 0, 1, 0)
    assert volunteers.rejection_rate == 0 and volunteers.mean_satisfaction is None
    total = scope.total
    assert (total.verified, total.rejected, total.confirmed, total.followups) == (5, 2, 3, 4)
    assert total.median_days == 3  # 0, 2, 3, 5, 10


def test_the_median_of_a_histogram():
    odd, even, empty = figures.Figures(), figures.Figures(), figures.Figures()
    odd.days.update({1: 2, 7: 1})
    even.days.update({1: 1, 2: 1, 9: 2})
    assert (odd.median_days, even.median_days, empty.median_days) == (1, 5.5, None)
    assert empty.confirmation_rate is None and empty.rejection_rate is None


def test_maintained_tallies_equal_a_recount(world, engine):
    mixed(world)
    maintained = _rows(engine)
    assert set(maintained) == {(world.org_id, "341621100"), (0, "341621100")}
    with transaction(engine) as s:
        assert tally.recount(s) == 2
    assert _rows(engine) == maintained
    with transaction(engine) as s:  # upgrading with data: an empty table is filled, a full one left alone
        s.execute(EvaluationTally.__table__.delete())
        assert tally.recount_if_empty(s) is True
        assert tally.recount_if_empty(s) is False
    assert _rows(engine) == maintained


def test_the_recount_command(world, engine, database_url, monkeypatch):
    from click.testing import CliRunner

    from marketplace.cli import main

    mixed(world)
    maintained = _rows(engine)
    with transaction(engine) as s:
        s.execute(EvaluationTally.__table__.delete())
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["evaluation", "recount"])
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output
    assert _rows(engine) == maintained


def test_concurrent_reviews_of_one_organisation_add_up(world, engine):
    """Two verifications of the same organisation in the same township, the row created by neither yet:
    the second waits for the first's commit (the unique row on PostgreSQL, the writer lock on SQLite) and
    both count, in the counters and in the histogram."""
    need = world.need("open")
    first_inside = threading.Event()
    errors: list[BaseException] = []

    def review(days_ago: int, hold: bool) -> None:
        from datetime import timedelta

        from marketplace.modelbase import utcnow

        try:
            with transaction(engine) as s:
                if not hold:
                    first_inside.wait(10)
                tally.on_reviewed(s, s.get(Need, need.id), organization_id=world.org_id,
                                  claimed_at=utcnow() - timedelta(days=days_ago, hours=1), submitted_at=utcnow(),
                                  outcome="verified", confirmation="code")
                if hold:
                    first_inside.set()
                    time.sleep(0.5)  # the other review is now waiting on this transaction
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=review, args=(4, True)), threading.Thread(target=review, args=(6, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    [(counts, days)] = _rows(engine).values()
    assert (counts["verified"], counts["confirmed"], counts["on_time"]) == (2, 2, 2)
    assert days == {"4": 1, "6": 1}


def test_a_follow_up_counts_for_the_organisation_whose_aid_it_asked_about(world):
    built = mixed(world)
    follow_up(world, pledge_id=built.pledges["E"], satisfaction=1)
    with world.tx() as s:
        charity = figures.of_organizations(s, [world.org_id])[world.org_id]
    assert (charity.followups, charity.satisfaction_count, charity.satisfaction_sum) == (5, 4, 13)
