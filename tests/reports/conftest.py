import pytest
from sqlmodel import Session


@pytest.fixture
def session(engine):
    """A session for reading what the test arranged; closed before the tables are emptied."""
    with Session(engine) as session:
        yield session
