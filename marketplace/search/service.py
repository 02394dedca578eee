"""Searching needs for pages and the API: the index when it can be read, the database otherwise (logged,
never a 500), and facets labelled for display."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlmodel import Session

from ..i18n import N_
from ..needs.listing import PublicNeed, public_needs
from ..regions.models import Region
from ..vocabulary import CATEGORIES, FORMS, TIERS, URGENCIES, label
from . import engine, fallback
from .index import SearchUnavailable, searching
from .query import SearchQuery
from .synonyms import load_expansions

log = logging.getLogger(__name__)

FACET_TITLES = {"category": N_("需求类别"), "form": N_("需求形式"), "tier": N_("救助类别"), "county": N_("县区"),
                "township": N_("乡镇"), "urgency": N_("紧急程度")}
_LABELS = {"category": CATEGORIES, "form": FORMS, "tier": TIERS, "urgency": URGENCIES}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: SearchQuery
    needs: list[PublicNeed]
    total: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    # "index" or "database": tests and the operator's log can tell a fallback happened.
    source: str = "index"

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page


def index_path() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def search_needs(session: Session, query: SearchQuery, *, per_page: int, path: Path | None = None) -> SearchResult:
    expansions = load_expansions(session)
    path = path or index_path()
    try:
        with searching(path) as snap:
            hits, source = engine.run(snap, query, expansions, per_page), "index"
    except SearchUnavailable as error:
        log.warning("search index unavailable, listing needs from the database instead: %s", error)
        hits, source = fallback.run(session, query, expansions, per_page), "database"
    return SearchResult(query, public_needs(session, hits.ids), hits.total, per_page,
                        _label_facets(session, query, hits.counts), hits.suggestions, source)


def _label_facets(session: Session, query: SearchQuery, counts) -> dict[str, list[FacetValue]]:
    codes = set(counts.get("county", {})) | set(counts.get("township", {}))
    names = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()) if codes else {}
    facets = {}
    for facet, counter in counts.items():
        chosen = getattr(query, facet)
        if facet in _LABELS:
            order = list(_LABELS[facet])
            values = sorted(counter, key=order.index)
        else:
            values = sorted(counter)
        facets[facet] = [FacetValue(v, label(_LABELS[facet], v) if facet in _LABELS else names.get(v, v),
                                    counter[v], v == chosen)
                         for v in values if counter[v] or v == chosen]
    return facets
