"""The demo's departments try routing at once: each signs in to routed needs, the city's rules are there,
and routed needs exist with the department, handled (on the chain as government aid) and sent back."""

from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.demo.routing_seed import DEPARTMENTS, RULES
from marketplace.demo.seed import PASSWORD, seed_demo
from marketplace.ledger.models import LedgerEntry
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.routing.models import NeedRouting, RoutingRule
from support import login


def test_the_demo_has_departments_rules_and_routed_needs_in_every_state(app, engine, tx, client):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        departments = s.scalars(select(Organization).where(Organization.kind == "government")).all()
        assert len(departments) == len(DEPARTMENTS) and {d.status for d in departments} == {"approved"}
        assert all(d.department for d in departments)
        assert len(s.scalars(select(RoutingRule).where(RoutingRule.active.is_(True))).all()) == len(RULES)
        states = [r.status for r in s.scalars(select(NeedRouting))]
        assert states.count("pending") >= 3 and "handled" in states and "declined" in states
        handled = s.scalars(select(NeedRouting).where(NeedRouting.status == "handled")).one()
        entry = s.get(LedgerEntry, handled.ledger_entry_id)
        assert (entry.source, entry.funding) == ("government", "fiscal")
        assert s.get(Need, handled.need_id).status == "cancelled"
        assert all(n.source for n in s.scalars(select(Need)))  # every demo need says where it came from
        assert s.scalars(select(AppUser).where(AppUser.email == "dept.edu@shanqiao.demo")).one().organization_id
    login(client, "dept.edu@shanqiao.demo", PASSWORD)
    listed = client.get("/department/needs?tab=handled").get_data(as_text=True)
    assert "高中寄宿生生活费资助" in listed and "普通高中国家助学金" not in listed
