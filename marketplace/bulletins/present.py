"""A stored payload as the reader sees it: labels in the reader's language (the payload keeps codes), changes
from last month's bulletin, money in whole yuan. Shared by the printable page and the XLSX."""

from dataclasses import dataclass

from ..i18n import N_, is_english, translate
from ..transparency.labels import DELIVERY_SOURCES, MEASURES
from ..vocabulary import CATEGORIES, ORG_KINDS, REFERRAL_OUTCOMES, label
from .period import Month

HEADLINE_LABELS = {
    "posted": MEASURES["posted"], "claimed": MEASURES["claimed"], "fulfilled": MEASURES["fulfilled"],
    "expired": MEASURES["expired"], "households": N_("受助户数（各来源合计）"), "money_fen": N_("帮扶资金（元）"),
    "blind_spots": N_("救助盲区户数"), "unclaimed": N_("超14天无人认领的需求"),
}
ROUTING_LABELS = {"routed": N_("推送部门办理"), "handled": N_("部门已办理"), "declined": N_("部门退回"),
                  "lapsed": N_("办理期满")}
INDIVIDUAL = N_("志愿者（个人）")
PAGE_ORGANIZATIONS = 10  # the printed page shows the busiest; the XLSX has every one
PAGE_OFFERS = 6
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


MONTH_LABEL = N_("%(year)s年%(month)s月")  # English: "%(month)s %(year)s", the month by name


def month_label(month: "Month | str") -> str:
    first = Month.of(month).first
    name = MONTH_NAMES[first.month - 1] if is_english() else first.month
    return translate(MONTH_LABEL) % {"year": first.year, "month": name}


def yuan(fen: int | None) -> int:
    """Whole yuan, as the public figures round them."""
    return int(round((fen or 0) / 100))


def change(current, previous) -> float | int | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 1) if isinstance(current, float) else current - previous


def signed(value) -> str:
    """+3, −2, 0, or — when there is nothing to compare with."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{value:,}"
    return f"−{-value:,}" if value < 0 else "0"


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    value: int
    previous: int | None
    change: int | None


def headline(payload: dict) -> list[Line]:
    """The summary: each headline figure, last month's (from its stored bulletin) and the change."""
    before = (payload.get("previous") or {}).get("headline")
    lines = []
    for key, name in HEADLINE_LABELS.items():
        value = payload["headline"].get(key, 0)
        old = before.get(key) if before else None
        if key == "money_fen":
            value, old = yuan(value), (yuan(old) if old is not None else None)
        lines.append(Line(key, translate(name), value, old, change(value, old)))
    return lines


def category_name(code: str) -> str:
    return label(CATEGORIES, code)


def source_name(code: str) -> str:
    return translate(DELIVERY_SOURCES.get(code, code))


def measure_name(code: str) -> str:
    return translate(MEASURES.get(code, code))


def organization_name(row: dict) -> str:
    return row["name"] if row.get("name") else translate(INDIVIDUAL)


def organization_kind(row: dict) -> str:
    return label(ORG_KINDS, row["kind"]) if row.get("name") else ""


def outcome_name(code: str) -> str:
    return label(REFERRAL_OUTCOMES, code)


def routing_rows(routing: dict) -> list[tuple[str, int]]:
    return [(translate(name), routing.get(key, 0)) for key, name in ROUTING_LABELS.items()]
