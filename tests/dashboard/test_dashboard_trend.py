"""The trend's months (China's calendar), its counts at a month's edge, and its snapshot section reading back
exactly what the live count gives, for a city, a county and a township."""

from datetime import UTC, date, datetime, timedelta

from dashboard_support import arrange, set_published
from sqlalchemy import update
from sqlmodel import Session

from marketplace.dashboard import figures, trend
from marketplace.modelbase import utcnow
from marketplace.needs import lifecycle
from marketplace.needs.models import Need, NeedHistory
from marketplace.reports import snapshots
from marketplace.reports.filters import ReportFilters

FRESH = timedelta(minutes=20)


def test_twelve_calendar_months_in_china_ending_with_the_current_one():
    # 16:30 UTC on 31 December is already 1 January in China: the window ends with January.
    bounds = trend.month_bounds(datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    assert [m for m, _s, _e in bounds] == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
                                           "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01"]
    month, start, end = bounds[-1]
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC) and end == datetime(2026, 1, 31, 16, tzinfo=UTC)
    assert all(a[2] == b[1] for a, b in zip(bounds, bounds[1:], strict=False))  # no gap, no overlap


def test_a_need_posted_just_after_midnight_in_china_counts_in_the_new_month(world, engine):
    need = world.need("open")
    now = utcnow()
    start = trend.month_bounds(now)[-1][1]  # the current month's first moment, in UTC
    set_published(world, need.id, start + timedelta(seconds=1))
    before = world.need("open", household=world.household("341621100", "other"), title="上月最后一刻发布")
    set_published(world, before.id, start - timedelta(seconds=1))
    with Session(engine) as s:
        rows = trend.monthly(s, "341621", now)
    assert rows[-1].posted == 1 and rows[-2].posted == 1 and sum(r.posted for r in rows) == 2
    with Session(engine) as s:  # another county counts none of them
        assert sum(r.posted for r in trend.monthly(s, "341622", now)) == 0


def test_the_trend_snapshot_reads_back_as_the_live_count(world, tx, engine):
    arrange(world)
    now = utcnow()
    for region in ("341600", "341621", "341621100"):
        filters = ReportFilters.default(region, date.today())
        with tx() as s:
            snapshots.refresh(s, filters, now)
        with Session(engine) as s:
            stored = snapshots.read(s, filters, "trend", now=now, max_age=FRESH)
            live = trend.monthly(s, filters.prefix, now)
            assert stored is not None and stored.rows == live and stored.computed_at == now, region
            assert sum(m.posted for m in live) > 0 and sum(m.verified for m in live) > 0
    with Session(engine) as s:
        read = {region: figures.figures(s, region, now=now, today=date.today(), max_age=FRESH)
                for region in ("341621", "341621100", "341621101", "341621199")}
        live = {region: figures.live(s, ReportFilters.default(region, date.today()), now) for region in read}
    # A county reads every figure from its sections, a township its row of the county's `townships`.
    assert set(read["341621"].computed_at) == {"unclaimed", "blind_spots", "cliff", "trend"}
    assert read["341621100"].computed_at == {"townships": now} and live["341621100"].computed_at == {}
    for region, stored in read.items():
        assert (stored.unclaimed, stored.blind_spots, stored.gap, stored.months) == \
            (live[region].unclaimed, live[region].blind_spots, live[region].gap, live[region].months), region
    assert read["341621"].cliff_percent == 200 and read["341621100"].cliff_percent == 100
    assert read["341621100"].blind_spots == 1 and read["341621100"].unclaimed == 1
    assert read["341621199"].months[-1].posted == 0  # a township with nothing: zeros, not a live count


def test_a_need_counts_as_verified_once_in_the_month_it_was_verified(world, engine):
    need = world.need("verified")
    now = utcnow()
    last_month = trend.month_bounds(now)[-2][1] + timedelta(days=1)
    with world.tx() as s:
        s.execute(update(NeedHistory).where(NeedHistory.need_id == need.id, NeedHistory.to_status == "verified")
                  .values(at=last_month))
        # A later note on the verified need (a correction's remark) repeats its status in the history.
        lifecycle.note(s, s.get(Need, need.id), world.poster, "回访：已收到")
    with Session(engine) as s:
        rows = trend.monthly(s, "341621", now)
    assert [r.verified for r in rows[-2:]] == [1, 0] and sum(r.verified for r in rows) == 1
