"""A search request as the URL carries it, and its translation into a Whoosh query. The URL holds the
whole state (words, filters, sort, page) so a search can be shared, bookmarked and restored by the back
button; unknown values are dropped on pages and refused by the API."""

import re
from dataclasses import asdict, dataclass, replace

from ..errors import Invalid
from ..i18n import N_, _, is_english
from ..inputs import int_arg
from ..vocabulary import CATEGORIES, FORMS, TIERS, URGENCIES

SORTS = {"relevance": N_("相关度"), "urgency": N_("紧急程度"), "deadline": N_("截止日期"), "waiting": N_("等待时间")}
MAX_WORDS = 8
_SPLIT = re.compile(r"[\s,，、;；]+")
_CODE_TABLES = {"category": CATEGORIES, "form": FORMS, "tier": TIERS, "urgency": URGENCIES}


def _listed(items, *, alternatives: bool = False) -> str:
    """Codes as a list in the reader's language: a、b、c (or 6或9) in Chinese, "a, b, c" (or "6 or 9") in English."""
    if alternatives:
        return (" or " if is_english() else "或").join(items)
    return (", " if is_english() else "、").join(items)


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    category: str = ""
    form: str = ""
    tier: str = ""
    urgency: str = ""
    county: str = ""
    township: str = ""
    # Any division's code (province, city, county, township): the API's region= filter.
    region: str = ""
    sort: str = "relevance"
    page: int = 1
    # Claimed needs are listed only on request: most visitors look for something still to take on.
    claimed: bool = False

    @classmethod
    def from_args(cls, args, *, strict: bool = False) -> "SearchQuery":
        def refuse(field: str, message: str) -> str:
            if strict:
                raise Invalid(message, field)
            return ""

        values: dict = {"q": " ".join(args.get("q", "").split())[:100]}
        for name, table in _CODE_TABLES.items():
            value = args.get(name, "")
            if value and value not in table:
                value = refuse(name, _("%(name)s 的取值「%(value)s」无效，可选：%(options)s。", name=name, value=value,
                                       options=_listed(table)))
            values[name] = value
        for name, digits in (("county", (6,)), ("township", (9,)), ("region", (6, 9, 12))):
            value = args.get(name, "")
            if value and not (value.isdigit() and len(value) in digits):
                value = refuse(name, _("%(name)s 须为%(digits)s位行政区划代码。", name=name,
                                       digits=_listed(map(str, digits), alternatives=True)))
            values[name] = value
        sort = args.get("sort", "relevance") or "relevance"
        if sort not in SORTS:
            sort = refuse("sort", _("%(name)s 的取值「%(value)s」无效，可选：%(options)s。", name="sort", value=sort,
                                    options=_listed(SORTS))) or "relevance"
        try:
            page = int_arg(args, "page", 1)
        except Invalid as error:
            page = refuse("page", error.message) or 1
        claimed = args.get("claimed", "") in ("1", "true", "on")
        return cls(sort=sort, page=int(page), claimed=claimed, **values)

    def filters(self) -> dict[str, str]:
        """The facet filters in force (facet -> code)."""
        return {name: getattr(self, name) for name in ("category", "form", "tier", "urgency", "county", "township")
                if getattr(self, name)}

    def args(self, **changes) -> dict[str, str]:
        """The URL parameters of this query with some changed, without empty ones (short, stable URLs).
        Any change other than the page returns to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        values = asdict(replace(self, **changes))
        values["claimed"] = "1" if values["claimed"] else ""
        if values["sort"] == "relevance":
            values["sort"] = ""
        if values["page"] == 1:
            values["page"] = ""
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def words(self) -> list[str]:
        return [w for w in _SPLIT.split(self.q) if w][:MAX_WORDS]


# A synonym counts for half a literal match: 危房 should rank needs that say 危房 above those that only
# say 修缮 (measured on the labelled set: full weight dropped MRR@10 from 0.99 to 0.94).
SYNONYM_BOOST = 0.5
