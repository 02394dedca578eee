"""Every capability's models, imported in one place: the one import Alembic and create_all need."""

from . import modelbase  # noqa: F401  (sets the naming convention first)
from .auth.models import AppUser, RecoveryCode
from .bulletins.models import MonthlyBulletin
from .claims.models import Claim, ClaimTransfer
from .confirmation.models import ConfirmationRule, DeliverySlip, FollowUp
from .duplicates.models import DuplicateRule
from .evaluation.models import EvaluationTally
from .evidence.models import EvidenceFile
from .fulfilment.models import Fulfilment
from .ledger.models import AidItem, LedgerCheckpoint, LedgerEntry, LedgerHead, OrganizationTotal
from .needs.models import Need, NeedHistory
from .notify.subscriptions import NotificationSubscription
from .offers.models import NeedReferral, ResourceOffer, ResourceOfferRegion
from .operations.models import WorkerHeartbeat
from .organizations.models import Invitation, Organization, OrganizationHistory
from .outbox.models import OutboxMessage
from .pledges.models import Pledge
from .purchases.models import PurchaseProject
from .referrals.models import FamilyReferral
from .regions.models import Region
from .registry.models import AccessLog, Household, HouseholdHistory, ImportJob, KeyRotation, RegionTierCount
from .reports.models import ReportSnapshot
from .routing.models import NeedRouting, RoutingRule
from .search.models import SynonymGroup
from .security.models import AuthThrottle, SecurityEvent, UserSession
from .transparency.models import PublicFigures
from .volunteering.models import HoursEntry, Shift, ShiftSignup, VolunteerProfile

__all__ = [
    "AccessLog", "AppUser", "Claim", "ClaimTransfer", "DuplicateRule", "Fulfilment", "Household", "HouseholdHistory", "ImportJob", "LedgerEntry",
    "Invitation", "Need", "NeedHistory", "NotificationSubscription", "Organization", "OrganizationHistory", "OutboxMessage", "Pledge", "Region", "SynonymGroup",
    "HoursEntry", "Shift", "ShiftSignup", "VolunteerProfile",
    "AuthThrottle", "RecoveryCode", "SecurityEvent", "UserSession",
    "OrganizationTotal", "RegionTierCount", "ReportSnapshot", "WorkerHeartbeat",
    "AidItem", "KeyRotation", "LedgerCheckpoint", "LedgerHead",
    "ConfirmationRule", "DeliverySlip", "EvaluationTally", "EvidenceFile", "FollowUp",
    "FamilyReferral", "NeedReferral", "NeedRouting", "PurchaseProject", "ResourceOffer", "ResourceOfferRegion",
    "RoutingRule", "MonthlyBulletin", "PublicFigures",
]
