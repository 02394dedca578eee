"""The demo's referrals (issue 16): see demo/linkage.py."""


def seed(seeder) -> None:
    """Filled in with the referrals capability."""
