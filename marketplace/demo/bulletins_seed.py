"""The demo's 月度衔接情况通报 (issue 17): last month's bulletin of every county and of the city, generated
as the demo is seeded, so 往期通报 has one to open, print and download from the start; the worker generates
the next on the 1st (and announces last month's to the demo staff, into the demo mailbox). The demo's own
activity happens as it is seeded, so this month's bulletin, marked as generated before the month ended, is
generated too: that is the one with figures in every section."""


def seed(seeder) -> None:
    """`seeder`: demo.seed._Seeder (session, today)."""
    from ..bulletins import generate
    from ..bulletins.period import last_month

    for month in (last_month(seeder.today), seeder.today.replace(day=1)):
        for code in generate.regions_with_households(seeder.session):
            generate.generate(seeder.session, code, month)
