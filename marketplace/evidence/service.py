"""Evidence files: staged while the fulfiler prepares the evidence, attached when it is submitted, hidden by
a verifier with a reason, swept from storage when nothing live needs them. (Filled in by issue 14's work.)"""

from sqlmodel import Session


def missing_roles(session: Session, need, *, claim=None, pledge=None) -> list[str]:
    """Roles (evidence/roles.py) the need's form requires that have no live file yet."""
    return []


def attach(session: Session, *, claim=None, pledge=None, fulfilment=None) -> int:
    """The evidence was submitted: its staged files become part of it. Returns how many."""
    return 0
