from flask import Blueprint, request
from flask_login import current_user

from .. import paging
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..needs import listing
from ..privacy.vault import vault
from ..web import render
from . import finder

bp = Blueprint("registry", __name__)


def _page(session, criteria, page, *, explanation: str, found=None, error: Invalid | None = None,
          name: str = "", hide_query: bool = False):
    names = listing.area_names(session, {h.region_code for h in page.items})
    return render("registry/households.html", fragment="registry/_rows.html", status=422 if error else 200,
                  page=page, names=names, criteria=criteria, explanation=explanation, found=found, error=error,
                  name=name, townships=finder.townships(session, current_user), hide_query=hide_query)


@bp.get("/staff/households")
@permission("registry.read")
def households():
    session = db()
    criteria = finder.criteria_from(current_user, request.args)
    if criteria.q and finder.looks_like_id_number(criteria.q):
        # An ID number typed into the code box: looked up by its keyed HMAC, shown masked, not kept in links.
        found = finder.find_by_identity(session, current_user, vault(), path=request.path, id_number=criteria.q)
        # hide_query: links on the page (the footer's language switch) must not repeat this URL's query.
        return _page(session, finder.Criteria(), found.page, found=found, hide_query=True,
                     explanation=finder.explain_found(session, current_user, found))
    page = finder.households(session, current_user, paging.requested(request.args), criteria)
    return _page(session, criteria, page, explanation=finder.explain_list(session, current_user, criteria))


@bp.post("/staff/households/find")
@permission("registry.read")
def find_household():
    """By the head's exact name or ID number: a POST, so neither lands in a URL, a server log or history."""
    session = db()
    name = request.form.get("name", "")
    try:
        found = finder.find_by_identity(session, current_user, vault(), path=request.path, name=name,
                                        id_number=request.form.get("id_number", ""))
    except Invalid as error:  # shown beside the form; the ID number typed is not repeated
        return _page(session, finder.Criteria(), paging.Page(), explanation="", error=error, name=name)
    return _page(session, finder.Criteria(), found.page, found=found, name=name,
                 explanation=finder.explain_found(session, current_user, found))
