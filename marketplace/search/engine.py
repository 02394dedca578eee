"""Running a search against an index snapshot with bitmaps (see bitmaps.py): the words give a set of
documents, filters and the status narrow it, facet counts are popcounts of that set with each value's
set, and a page is read off in order.

Facet counts follow the usual drill-down rule: each facet is counted with every filter applied except its
own, so choosing 助学 still shows how many needs the other categories have. Townships are counted only
within one county (the chosen one, or the only one left): a province has thousands of them."""

import math
from collections import Counter
from dataclasses import dataclass, field
from heapq import nsmallest
from itertools import product

from ..auth.access import scope_prefix
from . import bitmaps
from .analyzers import query_terms
from .index import Snapshot
from .query import SYNONYM_BOOST, SearchQuery
from .schema import FACET_CODES, FACETS, STATUS_CODES

_URGENCY_ORDER = [FACET_CODES["urgency"].index(code) for code in ("urgent", "soon", "normal")]
# Below this many matches a page is ranked document by document; above it, level by level (see _ranked).
SMALL = 3000
MAX_RANKED_WORDS = 5


@dataclass
class Hits:
    ids: list[int]
    total: int
    counts: dict[str, Counter] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Word:
    match: int  # the word itself or a synonym
    literal: int  # the word itself
    title: int  # the word itself, in the title
    weight: float


class _Words:
    def __init__(self, snap: Snapshot, expansions: dict[str, set[str]]):
        self.snap, self.expansions = snap, expansions

    def _all(self, terms: list[str], fieldname: str = "text") -> int:
        result = -1
        for term in terms:
            result &= self.snap.term(fieldname, term)
            if not result:
                return 0
        return result if terms else 0

    def _synonyms(self, text: str) -> int:
        result = 0
        for synonym in sorted(self.expansions.get(text, ())):
            result |= self._all(query_terms(synonym))
        return result

    def word(self, word: str) -> Word | None:
        """All of the word's terms, each through itself or a synonym (独居老人: 独居|空巢 and 老人|老年人),
        or a synonym of the whole word."""
        terms = query_terms(word)
        if not terms:
            return None
        match = -1
        for term in terms:
            match &= self.snap.term("text", term) | self._synonyms(term)
        if terms != [word]:
            match |= self._synonyms(word)
        literal = self._all(terms)
        weight = math.log(1 + self.snap.size / (1 + literal.bit_count()))
        return Word(match, literal, self._all(terms, "title") & literal, weight)


def _region_bitmap(snap: Snapshot, code: str) -> int:
    prefix = scope_prefix(code)[:9]
    if len(prefix) == 9:
        return snap.values["f_township"].get(int(prefix), 0)
    result = 0
    for county, bitmap in snap.values["f_county"].items():
        if str(county).startswith(prefix):
            result |= bitmap
    return result


def _filter_bitmaps(snap: Snapshot, query: SearchQuery) -> dict[str, int]:
    found = {}
    for facet, value in query.filters().items():
        code = FACET_CODES[facet].index(value) if facet in FACET_CODES else int(value)
        found[facet] = snap.values[f"f_{facet}"].get(code, 0)
    return found


def _count(snap: Snapshot, facet: str, base: int, only=None) -> Counter:
    counts = Counter()
    for code, bitmap in snap.values[f"f_{facet}"].items():
        if only is not None and not only(code):
            continue
        n = (base & bitmap).bit_count()
        if n:
            counts[code] = n
    if facet in FACET_CODES:
        return Counter({FACET_CODES[facet][code]: n for code, n in counts.items()})
    width = 9 if facet == "township" else 6
    return Counter({str(code).zfill(width): n for code, n in counts.items() if code})


def run(snap: Snapshot, query: SearchQuery, expansions: dict[str, set[str]], per_page: int) -> Hits:
    words = [w for w in (_Words(snap, expansions).word(text) for text in query.words()) if w is not None]
    if query.words() and not words:
        words = [Word(0, 0, 0, 0.0)]  # only punctuation or stop words: nothing matches
    status = snap.values["f_status"].get(STATUS_CODES.index("open"), 0)
    if query.claimed:
        status |= snap.values["f_status"].get(STATUS_CODES.index("claimed"), 0)
    base = snap.live & status
    if query.region:
        base &= _region_bitmap(snap, query.region)
    for word in words:
        base &= word.match
    filters = _filter_bitmaps(snap, query)
    result = base
    for bitmap in filters.values():
        result &= bitmap
    counts = {}
    for facet in FACETS:
        scope = base
        for other, bitmap in filters.items():
            if other != facet:
                scope &= bitmap
        if facet == "township":
            county = query.county or (query.township[:6] if query.township else "") or _single(counts["county"])
            if not county:
                counts[facet] = Counter()
                continue
            counts[facet] = _count(snap, facet, scope, lambda code, c=int(county): code // 1000 == c)
        else:
            counts[facet] = _count(snap, facet, scope)
    end = query.page * per_page
    docs = _page(snap, words, query.sort, result, end)[end - per_page:end]
    ids = [int(snap.searcher.stored_fields(d)["id"]) for d in docs]
    suggestions = _suggest(snap, query) if not result and query.q else []
    return Hits(ids, result.bit_count(), counts, suggestions)


def _single(counts: Counter) -> str:
    return next(iter(counts)) if len(counts) == 1 else ""


def _page(snap: Snapshot, words: list[Word], sort: str, result: int, end: int) -> list[int]:
    """The first `end` documents of the result in the page's order."""
    if not result:
        return []
    if sort == "relevance" and words:
        return _ranked(snap, words, result, end)
    if sort == "deadline":
        return _by_levels(result, end, [snap.values["deadline"]], ascending=True)
    if sort == "waiting":
        return _by_levels(result, end, [snap.values["published"]], ascending=True)
    # urgency, and relevance without words: the most pressing first, then the nearest deadline
    urgency = snap.values["f_urgency"]
    levels = [{rank: urgency.get(code, 0) for rank, code in enumerate(_URGENCY_ORDER)}, snap.values["deadline"]]
    return _by_levels(result, end, levels, ascending=True)


def _by_levels(result: int, end: int, levels: list[dict[int, int]], ascending: bool) -> list[int]:
    """Documents in the order of the first column's values, ties broken by the next column's, then by
    document number; only as many sets are visited as the page needs."""
    out: list[int] = []

    def walk(remaining: int, depth: int) -> None:
        if depth == len(levels):
            out.extend(bitmaps.decode(remaining, end - len(out)))
            return
        for value in sorted(levels[depth], reverse=not ascending):
            part = remaining & levels[depth][value]
            if part:
                walk(part, depth + 1)
                if len(out) >= end:
                    return

    walk(result, 0)
    return out


def _ranked(snap: Snapshot, words: list[Word], result: int, end: int) -> list[int]:
    """Relevance: each word scores its weight (idf) times 3 when found in the title, 2 in the text, and
    the synonym weight when only a synonym matched. Ties go to the more urgent need."""
    urgency = {code: snap.values["f_urgency"].get(code, 0) for code in _URGENCY_ORDER}
    if result.bit_count() <= SMALL:
        docs = bitmaps.decode(result)
        levels = [(set(bitmaps.decode(result & w.title)), set(bitmaps.decode(result & w.literal)), w.weight)
                  for w in words]
        ranks = {d: rank for rank, code in enumerate(_URGENCY_ORDER) for d in bitmaps.decode(result & urgency[code])}

        def score(doc: int) -> float:
            return sum(weight * (3 if doc in title else 2 if doc in literal else 2 * SYNONYM_BOOST)
                       for title, literal, weight in levels)

        return nsmallest(end, docs, key=lambda d: (-score(d), ranks.get(d, 2), d))
    # Many matches: walk the combinations of per-word levels from the best score down, and read documents
    # off each combination's set until the page is full. Words past the fifth only filter.
    ranked = words[:MAX_RANKED_WORDS]
    options = []
    for w in ranked:
        options.append(((3 * w.weight, w.title), (2 * w.weight, w.literal & ~w.title),
                        (2 * SYNONYM_BOOST * w.weight, w.match & ~w.literal)))
    combos = sorted(product(*options), key=lambda combo: -sum(level[0] for level in combo))
    out: list[int] = []
    for combo in combos:
        part = result
        for _, bitmap in combo:
            part &= bitmap
            if not part:
                break
        if not part:
            continue
        for code in _URGENCY_ORDER:
            out.extend(bitmaps.decode(part & urgency[code], end - len(out)))
            if len(out) >= end:
                return out
    return out


def _suggest(snap: Snapshot, query: SearchQuery) -> list[str]:
    """Queries one edit away: each unknown word replaced by the closest indexed words (did you mean)."""
    words = query.words()
    corrector = snap.searcher.corrector("text")
    suggestions: list[str] = []
    for i, word in enumerate(words):
        if len(word) < 2:
            continue
        for better in corrector.suggest(word, limit=3, maxdist=1 if len(word) <= 3 else 2):
            if better != word and len(better) >= 2:
                suggestion = " ".join(words[:i] + [better] + words[i + 1:])
                if suggestion not in suggestions:
                    suggestions.append(suggestion)
    return suggestions[:5]
