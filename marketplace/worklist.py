"""A fulfiler's work list (我的认领, 我的认捐): status tabs with their counts and one page of the chosen
tab. The list is the actor's own (or their organisation's) rows, so it is counted; the tabs' counts are one
GROUP BY over the same rows. Each item's actions live on its own page, not on the card."""

from dataclasses import dataclass

from sqlalchemy import func, select

from . import paging
from .errors import Invalid
from .i18n import _, translate

PAGE_SIZE = 20


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class WorkList:
    tabs: list[Tab]
    chosen: Tab
    counts: dict[str, int]
    page: paging.Page


def chosen_tab(args, tabs: list[Tab]) -> Tab:
    """The tab `?tab=` names (the first when absent); an unknown one is a 422 naming `tab`."""
    key = args.get("tab") or tabs[0].key
    for tab in tabs:
        if tab.key == key:
            return tab
    raise Invalid(_("未知的列表分类「%(tab)s」，可选：%(tabs)s。", tab=key[:20], tabs=_("、").join(translate(t.label) for t in tabs)),
                  "tab")


def build(session, args, tabs: list[Tab], model, owned, order) -> WorkList:
    """`owned`: the where-clause selecting the actor's rows of `model`; `order`: columns ending on a unique
    one, so paging neither repeats nor skips a row."""
    tab = chosen_tab(args, tabs)
    by_status = dict(session.execute(select(model.status, func.count()).where(owned).group_by(model.status)).all())
    counts = {t.key: sum(by_status.get(s, 0) for s in t.statuses) for t in tabs}
    query = select(model).where(owned, model.status.in_(tab.statuses)).order_by(*order)
    page = paging.counted(session, query, paging.requested(args, PAGE_SIZE), scalars=True, total=counts[tab.key])
    return WorkList(tabs, tab, counts, page)
