"""The demo has one purchase project under way: needs assigned, some verified, figures that match the chain."""

from collections import Counter

from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.demo.seed import seed_demo
from marketplace.evidence import service as evidence_files
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.needs.models import Need
from marketplace.purchases import figures
from marketplace.purchases.models import PurchaseProject


def test_the_demo_has_a_purchase_project_under_way(app, engine, tx):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        project = s.scalars(select(PurchaseProject)).one()
        statuses = Counter(s.scalars(select(Need.status).where(Need.purchase_project_id == project.id)))
        assert statuses == {"verified": 3, "in_progress": 2}
        assert project.status == "active" and project.hours == 18.0 and project.households == 3
        assert (project.spent_fen, project.hours, project.households) == figures.recount(s, project)
        funding = set(s.scalars(select(LedgerEntry.funding).where(LedgerEntry.purchase_project_id == project.id)))
        assert funding == {"purchase"}
        assert first_break(s) is None
        for need, claim in s.execute(select(Need, Claim).join(Claim, Claim.need_id == Need.id).where(
                Need.purchase_project_id == project.id, Need.status == "verified")):
            assert claim.organization_id == project.provider_id
            assert evidence_files.missing_roles(s, need, claim=claim) == []
