"""The demo's two-way 衔接 (issue 16), made through the real services after the needs and the supply side:
departments and their routing rules, charities' resource offers with needs referred to them, families
referred to civil affairs in every state, and a government purchase project under way. Each part lives in
its own module; this runs them in the order their data depends on."""


def seed_linkage(seeder) -> None:
    """`seeder`: demo.seed._Seeder (session, rng, today, vault, staff, orgs, members, volunteers, households)."""
    from . import offers_seed, purchases_seed, referrals_seed, routing_seed

    routing_seed.seed(seeder)
    offers_seed.seed(seeder)
    referrals_seed.seed(seeder)
    purchases_seed.seed(seeder)
