"""Paging of staff lists: at most STAFF_PAGE_SIZE rows (50), in an order that ends on a unique column so
no row is shown twice or skipped between pages, with 上一页 / 第 N 页 / 下一页 links (templates/_macros.html
`paged`) that keep the list's other query arguments and work without JavaScript.

Two ways to know whether there is a next page:
- counted: the number of matching rows, where an index answers it cheaply (queues, organisations, the
  registry, needs); the controls say 第 N / M 页，共 T 条;
- uncounted: one row more than the page is fetched. For lists of a table that only grows (the access log,
  a household's chain, sent mail) a count would read every row in scope on every page view.

The page number is read like every number in a URL (inputs.int_arg): anything but a whole number from 1
to MAX_PAGE is a 422 naming `page`. A page past the end shows no rows and a link back."""

from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app
from sqlalchemy import String, func, literal_column, select

from .inputs import int_arg

MAX_PAGE = 10_000


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = 50

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page:
    items: list[Any] = field(default_factory=list)
    number: int = 1
    size: int = 50
    has_next: bool = False
    total: int | None = None  # None: not counted

    def with_items(self, items: list) -> "Page":
        """The same page holding other objects (rows turned into what the template shows)."""
        return replace(self, items=list(items))


def requested(args, size: int | None = None) -> PageRequest:
    """The page a request asks for; the size is the staff page size unless a list has its own."""
    return PageRequest(int_arg(args, "page", 1, high=MAX_PAGE), size or current_app.config["STAFF_PAGE_SIZE"])


def counted(session, query, want: PageRequest, *, scalars: bool = False, total: int | None = None) -> Page:
    """`query` (ordered, ending on a unique column) cut to the page, with the count of all its rows
    (counted here unless the caller already knows it)."""
    if total is None:
        total = _count(session, query)
    rows = _fetch(session, query.offset(want.offset).limit(want.size), scalars)
    return Page(rows, want.number, want.size, want.offset + len(rows) < total and want.number < MAX_PAGE, total)


# How a list query may use its indexes (counted_in_scope): the planner's free choice (for the count), the
# region index leading (a small subtree: fetch its rows, sort them), or the order's index (or the table)
# leading with every filter checked row by row (a large subtree: read in order until the page is full).
FREE, SCOPE, ORDER = "free", "scope", "order"


def counted_in_scope(session, listed, want: PageRequest, *, rows_in_table: int, scalars: bool = False) -> Page:
    """A counted page of a list filtered to a region subtree. `listed(lead)` builds the ordered query with
    its columns passed through `leading(session, column, lead, ...)`. The count decides the shape: reading
    in order until the page is full costs about (offset + size) × rows_in_table / total rows, fetching the
    subtree's rows and sorting them costs total."""
    total = _count(session, listed(FREE))
    walk = total * total > (want.offset + want.size) * max(rows_in_table, 1)
    return counted(session, listed(ORDER if walk else SCOPE), want, scalars=scalars, total=total)


def leading(session, column, lead: str, *may_lead: str):
    """`column` as the query shape `lead` allows: itself when the planner may answer it from its index (FREE,
    or a shape in `may_lead`), else in a form no index answers. That is for SQLite, whose planner does not
    weigh a LIMIT against a sort: given any usable index on a filter it fetches every matching row and
    sorts them all, 250,000 households for a city. PostgreSQL weighs it, by its statistics: there the
    column is always itself."""
    if lead == FREE or lead in may_lead or session.get_bind().dialect.name != "sqlite":
        return column
    text = isinstance(getattr(column.type, "impl", column.type), String)  # SQLModel's AutoString decorates String
    return column + ("" if text else 0)  # SQLite's idiom for "no index here"


def uncounted(session, query, want: PageRequest, *, scalars: bool = False) -> Page:
    """`query` cut to the page; one row more is read to tell whether a next page exists."""
    rows = _fetch(session, query.offset(want.offset).limit(want.size + 1), scalars)
    return of_rows(rows, want)


def of_rows(rows: list, want: PageRequest) -> Page:
    """A page from up to size + 1 rows already fetched from the page's offset (the extra one is dropped)."""
    return Page(rows[:want.size], want.number, want.size, len(rows) > want.size and want.number < MAX_PAGE)


def _count(session, query) -> int:
    return session.scalar(select(func.count()).select_from(
        query.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True).subquery()))


def _fetch(session, query, scalars: bool) -> list:
    return list(session.scalars(query) if scalars else session.execute(query))
