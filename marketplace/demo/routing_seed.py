"""The demo's routing (issue 16): see demo/linkage.py."""


def seed(seeder) -> None:
    """Filled in with the routing capability."""
