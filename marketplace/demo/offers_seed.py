"""The demo's offers (issue 16): see demo/linkage.py."""


def seed(seeder) -> None:
    """Filled in with the offers capability."""
