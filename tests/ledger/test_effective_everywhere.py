"""Corrections count once, everywhere: a voided entry counts nowhere and a corrected one by its latest
figures, in blind spots, the cliff chart, who-does-what-where, directory totals, recommendations, the
duplicate check and the report snapshots alike (ledger/effective.py is the one query they share)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from marketplace.duplicates.check import Proposed, check
from marketplace.ledger import corrections, effective, org_totals
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append
from marketplace.organizations import directory
from marketplace.recommend.service import recommend
from marketplace.registry.models import Household
from marketplace.reports import blind_spots, cliff, coverage, snapshots
from marketplace.reports.filters import ReportFilters

TODAY = date.today()
NOW = datetime.combine(TODAY, time(12), tzinfo=UTC)
REPORT = ReportFilters("341621", TODAY - timedelta(days=365), TODAY, 6)


def _aid(world, household, *, days_ago=20, amount_fen=300000, organization_id=None, category="housing",
         title="危房修缮"):
    with world.tx() as s:
        return append(s, s.get(Household, household.id), source="charity" if organization_id else "government",
                      category=category, title=title, amount_fen=amount_fen,
                      occurred_on=TODAY - timedelta(days=days_ago), organization_id=organization_id)


def _correct(world, entry_id, **fields):
    with world.tx() as s:
        entry = s.get(LedgerEntry, entry_id)
        return corrections.correct(s, world.user(s, world.poster), s.get(Household, entry.household_id),
                                   entry_id, corrections.CorrectionInput(reason="核对后更正", **fields))


def _codes(rows):
    return {row.public_code for row in rows}


def test_voiding_the_only_recent_entry_puts_a_flagged_household_on_the_blind_spot_list(world, engine):
    flagged = world.household(hardships=["重病"])
    older = _aid(world, flagged, days_ago=400)
    recent = _aid(world, flagged)
    with Session(engine) as s:
        assert flagged.public_code not in _codes(blind_spots.blind_spots(s, REPORT, per_page=None)[0])

    _correct(world, recent.id, void=True)
    with Session(engine) as s:
        rows, total = blind_spots.blind_spots(s, REPORT, per_page=None)
        assert _codes(rows) == {flagged.public_code} and total == 1
        # The gap staff see runs from the last aid that counts, not from the void or what it voided.
        assert rows[0].last_aid == older.occurred_on
        assert list(blind_spots.iter_blind_spots(s, REPORT)) == rows


def _arrange(world):
    """A flagged household whose one recent aid is a charity's 3000-yuan house repair, with an open care
    need a charity member is recommended."""
    household = world.household(hardships=["重病"])
    given = _aid(world, household, organization_id=world.org_id)
    need = world.need(household=household, category="care", title="老人日常照料")
    return household, given, need


def _seen(world, engine, household, need) -> dict:
    """What each consumer shows of the household's aid, and the sections a snapshot stores."""
    with Session(engine) as s:
        spots, _ = blind_spots.blind_spots(s, REPORT, per_page=None)
        [tier] = [row for row in cliff.aid_by_tier(s, REPORT) if row.tier == "marginal"]
        places = [(row.category, row.entries, row.amount_fen) for row in coverage.who_does_what_where(s, REPORT)]
        [shown] = [org for org in directory.approved(s) if org.id == world.org_id]
        maintained = org_totals.totals(s, [world.org_id]).get(world.org_id, (0, 0))
        recounted = {org: (n, int(amount)) for org, n, amount in s.execute(org_totals.full_count())}
        assert maintained == recounted.get(world.org_id, (0, 0)) == (shown.entries, shown.amount_fen)
        [recommended] = [r for r in recommend(s, world.user(s, world.charity), None, TODAY) if r.need.id == need.id]
        duplicates = [m.entry_id for m in check(s, s.get(Household, household.id), Proposed("housing"), TODAY)]
        for section in ("blind_spots", "cliff", "who_what_where"):  # snapshots store what the live report shows
            live = snapshots.compute(s, REPORT, section, NOW)[0]
            assert live == [snapshots.SECTIONS[section].encode(row) for row in
                            {"blind_spots": spots, "cliff": cliff.aid_by_tier(s, REPORT),
                             "who_what_where": coverage.who_does_what_where(s, REPORT)}[section]]
    return {"blind spot": household.public_code in _codes(spots), "cliff": (tier.entries, tier.amount_fen),
            "coverage": places, "directory": maintained,
            "little aid": [r for r in recommended.reasons if r.startswith("近12个月")],
            "duplicates": duplicates}


def test_a_voided_entry_counts_nowhere(world, engine):
    household, given, need = _arrange(world)
    assert _seen(world, engine, household, need) == {
        "blind spot": False, "cliff": (1, 300000), "coverage": [("housing", 1, 300000)],
        "directory": (1, 300000), "little aid": ["近12个月仅获1次帮扶"], "duplicates": [given.id]}

    _correct(world, given.id, void=True)
    assert _seen(world, engine, household, need) == {
        "blind spot": True, "cliff": (0, 0), "coverage": [], "directory": (0, 0),
        "little aid": ["近12个月未获帮扶"], "duplicates": []}


def test_a_corrected_amount_counts_once_by_the_latest_correction(world, engine):
    household, given, need = _arrange(world)
    first = _correct(world, given.id, amount_fen=100000)
    latest = _correct(world, first.id, amount_fen=120000)  # a correction of the correction
    expected = {"blind spot": False, "cliff": (1, 120000), "coverage": [("housing", 1, 120000)],
                "directory": (1, 120000), "little aid": ["近12个月仅获1次帮扶"], "duplicates": [latest.id]}
    assert _seen(world, engine, household, need) == expected

    # Voided, then the void corrected back: the line counts again, once, with the restored figure.
    void = _correct(world, latest.id, void=True)
    assert _seen(world, engine, household, need)["cliff"] == (0, 0)
    restored = _correct(world, void.id, amount_fen=120000)
    assert _seen(world, engine, household, need) == {**expected, "duplicates": [restored.id]}


def test_the_effective_row_carries_the_category_of_the_latest_correction(world, engine):
    """A correction may re-file aid under another category (aid items mapped after import): every count
    follows the new category, and the duplicate rule of the old one no longer sees it."""
    household, given, need = _arrange(world)
    with world.tx() as s:
        append(s, s.get(Household, household.id), source=given.source, kind="correction", category="other",
               title=f"更正：{given.title}", amount_fen=given.amount_fen, occurred_on=given.occurred_on,
               organization_id=given.organization_id, corrects_id=given.id, note="救助项目重新归类")
    seen = _seen(world, engine, household, need)
    assert seen["coverage"] == [("other", 1, 300000)] and seen["duplicates"] == []
    assert seen["directory"] == (1, 300000) and seen["cliff"] == (1, 300000)


def test_effective_entries_of_a_line_of_corrections(world, engine):
    household = world.household()
    kept = _aid(world, household, amount_fen=50000, title="临时救助金")
    line = _aid(world, household)
    fixed = _correct(world, line.id, amount_fen=200000)
    voided = _aid(world, household, amount_fen=70000, title="医疗救助")
    _correct(world, voided.id, void=True)
    with Session(engine) as s:
        rows = s.scalars(effective.effective_entries(LedgerEntry.household_id == household.id)
                         .order_by(LedgerEntry.seq)).all()
        assert [(r.id, r.amount_fen) for r in rows] == [(kept.id, 50000), (fixed.id, 200000)]
        assert fixed.occurred_on == line.occurred_on  # the effective row keeps the original's date
        on_chain = s.scalars(select(LedgerEntry).where(LedgerEntry.household_id == household.id)).all()
        assert sum(not effective.is_void(e) for e in on_chain) == 4  # the Python twin agrees on voids

