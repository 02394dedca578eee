from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import staff_required
from ..auth.models import AppUser
from ..db import db
from ..needs import listing
from ..needs.models import Need
from ..organizations.models import Organization
from ..privacy.identity import reveal
from ..privacy.vault import vault
from ..registry import service as registry
from ..web import render
from . import service

bp = Blueprint("ledger", __name__)


@bp.get("/staff/households/<code>")
@staff_required
def household_chain(code: str):
    """The household's assistance chain (一户一条救助链) as a timeline, newest first."""
    session = db()
    household = registry.household_for_staff(session, current_user, code, action="view_chain",
                                             path=request.path, purpose="核对救助记录与户主身份")
    entries = service.chain(session, household.id)
    needs = list(session.scalars(select(Need).where(Need.household_id == household.id)
                                 .order_by(Need.created_at.desc())))
    org_ids = {e.organization_id for e in entries if e.organization_id}
    orgs = {o.id: o.name for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
    user_ids = {e.verified_by_id for e in entries if e.verified_by_id}
    users = {u.id: u.display_name for u in session.scalars(select(AppUser).where(AppUser.id.in_(user_ids)))}
    area = listing.area_names(session, {household.region_code})[household.region_code]
    return render("ledger/chain.html", household=household, entries=entries, needs=needs, orgs=orgs,
                  users=users, area=area, identity=reveal(household, vault()))
