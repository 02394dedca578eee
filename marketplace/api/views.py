"""The public JSON API (v1): the same de-identified projection as the public pages, field by field from
an allowlist, so a new column on Need or Household never reaches a client by accident."""

from dataclasses import asdict

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..auth.policy import permission
from ..db import db
from ..errors import DomainError, NotFound
from ..i18n import _
from ..needs import listing
from ..needs.service import get_need
from ..search.query import SearchQuery
from ..search.service import search_needs
from ..vocabulary import AGE_BANDS, label
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def rate_limited():
    """A generous per-address limit (LOGIN_API_PER_MINUTE): one upsert, in its own transaction, so the
    count holds whatever the request's outcome and costs nothing more. Called by web.py as the first
    hook of every API request: on SQLite that transaction must not wait behind the request's own session,
    which anything loading the signed-in user opens (with a write lock for signed-in users)."""
    from ..security import throttle

    refused = throttle.api_refusal()
    if refused is not None:
        return (jsonify(error=refused.message, retry_after=refused.retry_after_seconds), 429,
                {"Retry-After": str(refused.retry_after_seconds)})
    return None


FIELDS = ("id", "category", "form", "title", "description", "urgency", "status", "tier", "area", "age_band",
          "size_band", "deadline", "target_amount_fen", "target_quantity", "unit")


def _item(need: listing.PublicNeed) -> dict:
    values = asdict(need)
    item = {name: values[name] for name in FIELDS}
    item["deadline"] = need.deadline.isoformat()
    item["age_band_label"] = label(AGE_BANDS, need.age_band) if need.age_band else None
    item["url"] = url_for("needs.detail", need_id=need.id)
    return item


@bp.get("/needs")
@permission("public.read")
def needs():
    """Search the published needs: ?q=&category=&form=&tier=&urgency=&region=&county=&township=&sort=&page=
    (codes as in the UI); the same de-identified results as the needs page, with facet counts."""
    query = SearchQuery.from_args(request.args, strict=True)
    result = search_needs(db(), query, per_page=current_app.config["PAGE_SIZE"])
    return jsonify(
        items=[_item(n) for n in result.needs], page=query.page, per_page=result.per_page, total=result.total,
        pages=result.pages, query=query.args(page=query.page),
        facets={facet: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for facet, values in result.facets.items()},
        suggestions=result.suggestions,
    )


@bp.get("/openapi.json")
@permission("public.read")
def openapi():
    return jsonify(openapi_document(url_for("api.needs", _external=False).rsplit("/needs", 1)[0]))


@bp.get("/needs/<int:need_id>")
@permission("public.read")
def need(need_id: int):
    session = db()
    found = get_need(session, need_id)
    if found.status not in listing.PUBLIC_STATUSES:
        raise NotFound(_("需求不存在。"))  # the same answer as for a missing id: drafts stay unseen
    return jsonify(_item(listing.public_need(session, found)))


@bp.get("/offers")
@permission("offer.read")
def offers():
    """The charity resource list (慈善帮扶资源清单): ?category=&place=&page= ; no household in any field."""
    from ..offers import api as offers_api

    return jsonify(offers_api.offers_page(db(), request.args, current_app.config["PAGE_SIZE"]))


@bp.get("/offers/<int:offer_id>")
@permission("offer.read")
def offer(offer_id: int):
    from ..offers import api as offers_api
    from ..offers.service import public_offer

    return jsonify(offers_api.item(public_offer(db(), offer_id)))


@bp.get("/stats")
@permission("public.read")
def stats():
    """阳光公示 as JSON: ?region=&category= (transparency/api.py): the stored, already suppressed figures."""
    from ..transparency import api as transparency_api

    return jsonify(transparency_api.stats(db(), request.args))


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return jsonify(error=error.message, field=error.field), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return jsonify(error=error.description), error.code
