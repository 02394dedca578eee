"""Active households per township and tier (region_tier_count), the figure k-anonymity needs: a public page
names a township only where at least K_MIN active households of the need's tier live (needs.listing).

Maintained, not recounted, in the transaction of every registry change that can move a household between
(township, tier) cells or in or out of "active":
- changes made through the ORM (registry.service.add_household, the move in registry.moving, a status
  change) are seen by a before-flush hook, so no writer of Household objects can forget them;
- the registry import writes households with bulk Core statements, which no hook sees: it calls `apply`
  with each batch's before and after.
Each adjustment is one conditional upsert, `households = households + delta`, so two transactions touching
the same cell add up rather than overwrite each other. `recount`
rebuilds the table from the households: the migration's data step, `marketplace db upgrade` on an empty
table, bulk loaders that insert households directly (bench/), and the tests that check the maintained
figures against it.

The cell is the one the per-request query used to count: a code of 9 digits or more belongs to the township
of its first 9 (a village to its township); a county-level code belongs to no township and is not counted."""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, event, func, insert, inspect, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from .models import Household, RegionTierCount

# (region_code, tier, status) of a household, before or after a change; None where it did not exist.
Place = tuple[str, str, str]
_TABLE = RegionTierCount.__table__


def cell(region_code: str | None, tier: str, status: str = "active") -> tuple[str, str] | None:
    """The (township, tier) cell a household counts in, or None when it counts nowhere."""
    if status != "active" or not region_code or len(region_code) < 9:
        return None
    return region_code[:9], tier


def adjust(session: Session, region_code: str, tier: str, delta: int, status: str = "active") -> None:
    """Add `delta` households to the cell of (region_code, tier)."""
    key = cell(region_code, tier, status)
    if key is not None:
        _upsert(session, {key: delta})


def apply(session: Session, changes: Iterable[tuple[Place | None, Place | None]]) -> None:
    """Record households changing from one place to another (before None: added; after None: removed),
    netted per cell and written as one batch of upserts."""
    deltas: Counter = Counter()
    for before, after in changes:
        if before is not None and (key := cell(*before)):
            deltas[key] -= 1
        if after is not None and (key := cell(*after)):
            deltas[key] += 1
    _upsert(session, deltas)


def _upsert(session: Session, deltas: dict[tuple[str, str], int]) -> None:
    rows = [{"township": t, "tier": tier, "households": n} for (t, tier), n in sorted(deltas.items()) if n]
    if not rows:
        return
    # On the session's connection, not session.execute: this also runs inside a flush (the hook below).
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_TABLE)
    statement = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.township, _TABLE.c.tier],
        set_={"households": _TABLE.c.households + statement.excluded.households})
    connection.execute(statement, rows)


_FIELDS = ("region_code", "tier", "status")


def _before(household: Household) -> Place:
    """The household's (region, tier, status) as the database holds it, before this flush's changes."""
    state = inspect(household)
    values = []
    for name in _FIELDS:
        history = state.attrs[name].history
        values.append(history.deleted[0] if history.deleted else getattr(household, name))
    return tuple(values)


def _after(household: Household) -> Place:
    return tuple(getattr(household, name) for name in _FIELDS)


@event.listens_for(OrmSession, "before_flush")
def _households_flushed(session, _flush_context, _instances) -> None:
    changes = [(None, _after(h)) for h in session.new if isinstance(h, Household)]
    changes += [(_before(h), _after(h)) for h in session.dirty
                if isinstance(h, Household) and session.is_modified(h, include_collections=False)]
    changes += [(_before(h), None) for h in session.deleted if isinstance(h, Household)]
    if changes:
        apply(session, changes)


def counts(session: Session, townships: set[str], tiers: set[str]) -> dict[tuple[str, str], int]:
    """(township, tier) -> active households, for the cells asked about (absent: none)."""
    if not townships or not tiers:
        return {}
    query = select(RegionTierCount.township, RegionTierCount.tier, RegionTierCount.households).where(
        RegionTierCount.township.in_(townships), RegionTierCount.tier.in_(tiers))
    return {(t, tier): n for t, tier, n in session.execute(query)}


def full_count():
    """The figures from the households themselves: (township, tier, households) rows."""
    township = func.substr(Household.region_code, 1, 9)
    return (select(township.label("township"), Household.tier, func.count().label("households"))
            .where(Household.status == "active", func.length(Household.region_code) >= 9)
            .group_by(township, Household.tier))


def recount(session: Session) -> None:
    """Rebuild the table from the households (takes the time of one pass over the registry)."""
    session.execute(delete(RegionTierCount))
    session.execute(insert(_TABLE).from_select(["township", "tier", "households"], full_count()))
    session.flush()


def recount_if_empty(session: Session) -> bool:
    """Fill the table when it is empty but households exist (data loaded around the services, or a
    database migrated before households arrived by bulk insert). True when it recounted."""
    if session.scalar(select(literal_column("1")).select_from(RegionTierCount).limit(1)) is not None:
        return False
    if session.scalar(select(Household.id).where(Household.status == "active").limit(1)) is None:
        return False
    recount(session)
    return True
