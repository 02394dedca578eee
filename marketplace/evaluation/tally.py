"""综合评估 figures kept in the transactions that change them (evaluation/models.py). (Filled in by the
evaluation work of issue 14.)"""

from datetime import datetime

from sqlmodel import Session


def on_reviewed(session: Session, need, *, organization_id: int | None, claimed_at: datetime,
                submitted_at: datetime | None, outcome: str, confirmation: str | None) -> None:
    """Evidence of a claim or pledge was verified (outcome "verified") or rejected ("rejected")."""


def on_follow_up(session: Session, need, follow_up) -> None:
    """A follow-up visit was recorded."""
