"""A purchase project's progress (spent_fen, hours, households), kept in the transaction that verifies each
of its needs, so the project page reads one row instead of summing the chain.

Service evidence carries hours, not money: what a verified service costs the project is its share of the
budget, priced per hour when the project targets hours (budget ÷ target hours), else per household served
(budget ÷ target households, counted once per household). Spending never passes the budget: a provider
working beyond its target does so at its own cost. `recount` derives the same figures from the chain's
effective entries, for the test that checks the maintained ones."""

from sqlalchemy import case, func, select, update
from sqlmodel import Session

from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..needs.models import Need
from . import funding
from .models import PurchaseProject


def chain_terms(session: Session, need: Need, source: str, organization_id: int | None) -> dict:
    """The funding fields of the chain entry for aid verified on `need` (fulfilment, pledges)."""
    return {"funding": funding.for_aid(session, source, organization_id, need.purchase_project_id),
            "purchase_project_id": need.purchase_project_id}


def cost_fen(project: PurchaseProject, hours: float, new_household: bool) -> int:
    if project.target_hours:
        return round(project.budget_fen * (hours or 0) / project.target_hours)
    if project.target_households:
        return project.budget_fen // project.target_households if new_household else 0
    return 0


def entry_verified(session: Session, entry: LedgerEntry) -> None:
    """Count a just-appended chain entry against its project. The ledger writer has locked the household
    (PostgreSQL) or the database (SQLite), so two entries of one household cannot both count it as new;
    the project's row moves by one relative UPDATE, so concurrent verifications add up."""
    if entry.purchase_project_id is None:
        return
    project = session.get(PurchaseProject, entry.purchase_project_id)
    earlier = session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.purchase_project_id == project.id, LedgerEntry.household_id == entry.household_id,
        LedgerEntry.id != entry.id))
    new_household = not earlier
    spent = cost_fen(project, entry.hours or 0, new_household)
    total = PurchaseProject.spent_fen + spent
    session.execute(
        update(PurchaseProject).where(PurchaseProject.id == project.id)
        .values(hours=PurchaseProject.hours + (entry.hours or 0),
                households=PurchaseProject.households + (1 if new_household else 0),
                spent_fen=case((total > PurchaseProject.budget_fen, PurchaseProject.budget_fen), else_=total))
        .execution_options(synchronize_session=False))
    session.refresh(project)


def recount(session: Session, project: PurchaseProject) -> tuple[int, float, int]:
    """(spent_fen, hours, households) from the project's effective chain entries."""
    rows = session.execute(select(LedgerEntry.household_id, LedgerEntry.hours).where(
        LedgerEntry.purchase_project_id == project.id, effective.is_effective()).order_by(LedgerEntry.id)).all()
    seen: set[int] = set()
    spent, hours = 0, 0.0
    for household_id, entry_hours in rows:
        spent += cost_fen(project, entry_hours or 0, household_id not in seen)
        seen.add(household_id)
        hours += entry_hours or 0
    return min(spent, project.budget_fen), hours, len(seen)


def progress(project: PurchaseProject) -> dict[str, float | None]:
    """Shares of the budget and targets reached, in percent (None where the project set no target)."""
    def share(done, target):
        return min(100.0, 100.0 * done / target) if target else None

    return {"budget": share(project.spent_fen, project.budget_fen), "hours": share(project.hours, project.target_hours),
            "households": share(project.households, project.target_households)}
