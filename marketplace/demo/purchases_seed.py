"""The demo's purchases (issue 16): see demo/linkage.py."""


def seed(seeder) -> None:
    """Filled in with the purchases capability."""
