"""What the index holds for a need: text from the public allowlist, filter terms, and per-document
integer columns for facets and sorting. Never a private field: the document is built from the same
projection as public pages (see documents.py), so a name or ID number cannot reach the index."""

from whoosh import fields
from whoosh.columns import NumericColumn

from ..vocabulary import CATEGORIES, FORMS, TIERS, URGENCIES
from .analyzers import need_analyzer

# Facets are counted from integer columns, one array per segment, so counting 20,000 matches is a few
# C-level list lookups rather than a stored-field read per document. Codes index these tuples.
FACET_CODES = {
    "category": tuple(CATEGORIES),
    "form": tuple(FORMS),
    "tier": tuple(TIERS),
    "urgency": tuple(URGENCIES),
}
# County and township facets hold the region code itself as an integer (0: not nameable, see documents).
REGION_STATUS_CODES = ("open", "claimed")
FACETS = ("county", "township")
STATUS_CODES = ("open", "claimed")
FACETS = ("category", "form", "tier", "county", "township", "urgency")
URGENCY_RANK = {"urgent": 0, "soon": 1, "normal": 2}


def _column():
    # Unsigned 32-bit: category indexes, yyyymmdd dates and 9-digit township codes (< 4.3e9) all fit.
    return fields.COLUMN(NumericColumn("I", default=0))


def need_schema() -> fields.Schema:
    analyzer = need_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        # One text field for matching: the title, the description, the Chinese labels of category, form,
        # tier and urgency (助学 finds every education need), and the public place names (市, 县, and 乡镇
        # when k-anonymous). One field means one posting list per query term rather than one per field.
        text=fields.TEXT(analyzer=analyzer),
        # The title alone, so a word found in the title ranks first.
        title=fields.TEXT(analyzer=analyzer, phrase=False),
        # Filters, facets and sorts are read from these integer columns (as bitmaps, see bitmaps.py):
        # no indexed filter fields, which would cost indexing time and be slower to combine.
        f_status=_column(),
        f_category=_column(),
        f_form=_column(),
        f_tier=_column(),
        f_urgency=_column(),
        f_county=_column(),
        f_township=_column(),
        deadline=_column(),
        published=_column(),
    )
