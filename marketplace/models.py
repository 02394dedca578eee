"""Every capability's models, imported in one place: the one import Alembic and create_all need."""

from . import modelbase  # noqa: F401  (sets the naming convention first)
from .auth.models import AppUser
from .claims.models import Claim
from .duplicates.models import DuplicateRule
from .fulfilment.models import Fulfilment
from .ledger.models import LedgerEntry
from .needs.models import Need, NeedHistory
from .organizations.models import Organization
from .outbox.models import OutboxMessage
from .regions.models import Region
from .registry.models import AccessLog, Household, HouseholdHistory, ImportJob
from .search.models import SynonymGroup

__all__ = [
    "AccessLog", "AppUser", "Claim", "DuplicateRule", "Fulfilment", "Household", "HouseholdHistory", "ImportJob", "LedgerEntry",
    "Need", "NeedHistory", "Organization", "OutboxMessage", "Region", "SynonymGroup",
]
