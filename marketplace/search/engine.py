"""Running a search against an index snapshot: text matches from Whoosh, then filters, facet counts and
non-relevance sorts over integer columns, so the work per matching document is a list lookup.

Facet counts follow the usual drill-down rule: each facet is counted with every filter applied except its
own, so choosing 助学 still shows how many needs the other categories have."""

from collections import Counter
from dataclasses import dataclass, field
from heapq import nsmallest

from ..auth.access import scope_prefix
from .index import Snapshot
from .query import SearchQuery, text_query
from .schema import FACET_CODES, FACETS

_URGENCY_RANK = {FACET_CODES["urgency"].index(code): rank for code, rank in (("urgent", 0), ("soon", 1),
                                                                             ("normal", 2))}


@dataclass
class Hits:
    ids: list[int]
    total: int
    counts: dict[str, Counter] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)


def _range(code: str) -> tuple[str, int, int]:
    """A region code as an inclusive range over the county or township column."""
    prefix = scope_prefix(code)[:9]
    if len(prefix) == 9:
        return "f_township", int(prefix), int(prefix)
    width = 6 - len(prefix)
    return "f_county", int(prefix) * 10 ** width, int(prefix) * 10 ** width + 10 ** width - 1


def _filters(query: SearchQuery) -> list[tuple[str, str, int, int]]:
    """(facet, column, low, high) for each filter in force."""
    found = []
    for facet, value in query.filters().items():
        if facet in FACET_CODES:
            code = FACET_CODES[facet].index(value)
            found.append((facet, f"f_{facet}", code, code))
        else:
            found.append((facet, f"f_{facet}", int(value), int(value)))
    if query.region:
        found.append(("region", *_range(query.region)))
    return found


def _apply(docs: list[int], filters, columns) -> list[int]:
    for _facet, column, low, high in filters:
        values = columns[column]
        docs = [d for d in docs if values[d] == low] if low == high else [d for d in docs if low <= values[d] <= high]
    return docs


def _decode(facet: str, counts: Counter) -> Counter:
    if facet in FACET_CODES:
        return Counter({FACET_CODES[facet][code]: n for code, n in counts.items()})
    width = 9 if facet == "township" else 6
    return Counter({str(code).zfill(width): n for code, n in counts.items() if code})


def run(snap: Snapshot, query: SearchQuery, expansions: dict[str, set[str]], per_page: int) -> Hits:
    searcher, columns = snap.searcher, snap.columns
    tq = text_query(query.words(), expansions)
    matched = list(tq.docs(searcher)) if tq is not None else list(searcher.reader().all_doc_ids())
    if not query.claimed:
        status = columns["f_status"]
        matched = [d for d in matched if status[d] == 0]
    filters = _filters(query)
    always = [f for f in filters if f[0] == "region"]
    faceted = [f for f in filters if f[0] != "region"]
    base = _apply(matched, always, columns)
    result = _apply(base, faceted, columns)
    counts = {}
    for facet in FACETS:
        others = [f for f in faceted if f[0] != facet]
        subset = result if len(others) == len(faceted) else _apply(base, others, columns)
        counts[facet] = _decode(facet, Counter(map(columns[f"f_{facet}"].__getitem__, subset)))
    end = query.page * per_page
    start = end - per_page
    page_docs = _order(searcher, columns, tq, query.sort, result, end)[start:end]
    ids = [int(searcher.stored_fields(d)["id"]) for d in page_docs]
    suggestions = _suggest(searcher, query) if not result and query.q else []
    return Hits(ids, len(result), counts, suggestions)


def _order(searcher, columns, tq, sort: str, docs: list[int], limit: int) -> list[int]:
    if not docs:
        return []
    urgency, deadline, published = columns["f_urgency"], columns["deadline"], columns["published"]
    if sort == "relevance" and tq is not None:
        hits = searcher.search(tq, filter=set(docs), limit=limit)
        return [hit.docnum for hit in hits]
    if sort == "deadline":
        key = lambda d: (deadline[d], d)  # noqa: E731
    elif sort == "waiting":
        key = lambda d: (published[d], d)  # noqa: E731
    else:  # urgency, and relevance without words: the most pressing first
        key = lambda d: (_URGENCY_RANK.get(urgency[d], 2), deadline[d], d)  # noqa: E731
    return nsmallest(limit, docs, key=key)


def _suggest(searcher, query: SearchQuery) -> list[str]:
    """Queries one edit away: each unknown word replaced by the closest indexed words (did you mean)."""
    words = query.words()
    corrector = searcher.corrector("words")
    suggestions: list[str] = []
    for i, word in enumerate(words):
        for better in corrector.suggest(word, limit=3, maxdist=1 if len(word) <= 3 else 2):
            if better != word:
                suggestion = " ".join(words[:i] + [better] + words[i + 1:])
                if suggestion not in suggestions:
                    suggestions.append(suggestion)
    return suggestions[:5]
