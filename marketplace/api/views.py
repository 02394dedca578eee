"""The public JSON API (v1): the same de-identified projection as the public pages, field by field from
an allowlist, so a new column on Need or Household never reaches a client by accident."""

from dataclasses import asdict

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..db import db
from ..errors import DomainError, NotFound
from ..needs import listing
from ..needs.service import get_need
from ..vocabulary import AGE_BANDS

bp = Blueprint("api", __name__, url_prefix="/api/v1")

FIELDS = ("id", "category", "form", "title", "description", "urgency", "status", "tier", "area", "age_band",
          "size_band", "deadline", "target_amount_fen", "target_quantity", "unit")


def _item(need: listing.PublicNeed) -> dict:
    values = asdict(need)
    item = {name: values[name] for name in FIELDS}
    item["deadline"] = need.deadline.isoformat()
    item["age_band_label"] = AGE_BANDS.get(need.age_band) if need.age_band else None
    item["url"] = url_for("needs.detail", need_id=need.id)
    return item


@bp.get("/needs")
def needs():
    """Open needs, most urgent first: ?category=&form=&urgency=&county=&page= (codes as in the UI)."""
    filters = listing.Filters.from_args(request.args, strict=True)
    per_page = current_app.config["PAGE_SIZE"]
    rows, total = listing.open_needs(db(), filters, per_page)
    return jsonify(items=[_item(n) for n in rows], page=filters.page, per_page=per_page, total=total,
                   pages=(total + per_page - 1) // per_page)


@bp.get("/needs/<int:need_id>")
def need(need_id: int):
    session = db()
    found = get_need(session, need_id)
    if found.status not in listing.PUBLIC_STATUSES:
        raise NotFound("需求不存在。")  # the same answer as for a missing id: drafts stay unseen
    return jsonify(_item(listing.public_need(session, found)))


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return jsonify(error=error.message, field=error.field), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return jsonify(error=error.description), error.code
