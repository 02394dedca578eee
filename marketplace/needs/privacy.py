"""The need-text scan is the one in privacy.pii_scan; these names stay for the callers that import them
from here."""

from ..privacy.pii_scan import FIELD_LABELS, Finding, Identity, find, scan, scan_for_household

__all__ = ["FIELD_LABELS", "Finding", "Identity", "find", "scan", "scan_for_household"]
