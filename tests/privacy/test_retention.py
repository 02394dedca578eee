"""Retention (PIPL arts. 19, 47): `marketplace purge` removes exactly what is past its period, a dry run
changes nothing, chains stay intact, the worker purges once a day, and a purged household's page says so."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from marketplace.cli import main
from marketplace.demo.identities import id_number
from marketplace.fulfilment.models import Fulfilment
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.modelbase import utcnow
from marketplace.privacy import retention
from marketplace.registry.models import AccessLog, Household
from marketplace.security.models import SecurityEvent
from support import login

YEAR = timedelta(days=365)
PERIODS = retention.Periods(identity=3 * 365, evidence=3 * 365, disclosures=3 * 365, access_log=365)
IDENTITY = ("head_name_enc", "id_number_enc", "id_hmac", "name_hmac", "phone_enc", "address_enc", "row_digest")


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def person(world, seq, *, tier="marginal", **kw):
    return world.household(name=f"户主{seq}", id_number=id_number("341621", date(1960, 1, 1), seq),
                           phone=f"1390558{seq:04d}", address=f"楚店镇{seq}号", tier=tier, **kw)


def leave(world, household, ago: timedelta):
    with world.tx() as s:
        row = s.get(Household, household.id)
        row.status = "exited"
        s.flush()
        row.left_at = utcnow() - ago


def log_row(world, household, user_id, action, ago: timedelta):
    with world.tx() as s:
        row = AccessLog(user_id=user_id, household_id=household.id, action=action, path="/x", at=utcnow() - ago)
        s.add(row)
        s.flush()
        return row.id


def review_long_ago(world, need, ago: timedelta, reason=None):
    with world.tx() as s:
        evidence = s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()
        evidence.reviewed_at, evidence.review_reason = utcnow() - ago, reason
        return evidence.id


@pytest.fixture
def past(world):
    """A household that left 4 years ago (with a verified need on its chain, reviewed 4 years ago), one that
    left last month, an active one; disclosures and other access-log rows of various ages."""
    gone, recent, active = person(world, 1), person(world, 2), person(world, 3)
    old_need = world.need("verified", household=gone)
    new_need = world.need("verified", household=active)
    ids = {
        "old_evidence": review_long_ago(world, old_need, 4 * YEAR, reason="票据齐全"),
        "new_evidence": review_long_ago(world, new_need, 30 * timedelta(days=1), reason="票据齐全"),
        "old_contact": log_row(world, gone, world.charity, "view_contact", 4 * YEAR),
        "old_address": log_row(world, active, world.volunteer, "view_address", 3 * YEAR + timedelta(days=5)),
        "new_contact": log_row(world, gone, world.charity, "view_contact", 2 * YEAR),
        "old_view": log_row(world, active, world.poster, "view_chain", 2 * YEAR),
        "new_view": log_row(world, active, world.poster, "view_chain", timedelta(days=100)),
    }
    leave(world, gone, 4 * YEAR)
    leave(world, recent, timedelta(days=30))
    return {"gone": gone, "recent": recent, "active": active, **ids}


def snapshot(tx):
    with tx() as s:
        households = [tuple(getattr(h, c) for c in (*IDENTITY, "identity_purged_at", "status"))
                      for h in s.scalars(select(Household).order_by(Household.id))]
        evidence = [(f.summary, f.review_reason) for f in s.scalars(select(Fulfilment).order_by(Fulfilment.id))]
        log = list(s.scalars(select(AccessLog.id).order_by(AccessLog.id)))
        entries = [(e.id, e.entry_hash) for e in s.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]
        return households, evidence, log, entries


def test_a_dry_run_counts_what_would_go_and_changes_nothing(cli, tx, past):
    before = snapshot(tx)
    result = cli("purge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("would_purge.identities=1 would_purge.evidence=1 would_purge.evidence_files=1 "
                                     "would_purge.contact_disclosures=2 would_purge.access_log=1 "
                                     "would_purge.referral_contacts=0")
    assert snapshot(tx) == before
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(SecurityEvent)
                        .where(SecurityEvent.kind == "retention.purge")) == 0


def test_purge_removes_exactly_what_is_past_its_period_and_keeps_every_chain_intact(cli, tx, past):
    _, _, _, entries_before = snapshot(tx)
    result = cli("purge")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("purged.identities=1 purged.evidence=1 purged.evidence_files=1 "
                                     "purged.contact_disclosures=2 purged.access_log=1 purged.referral_contacts=0")
    with tx() as s:
        gone, recent, active = (s.get(Household, past[k].id) for k in ("gone", "recent", "active"))
        assert all(getattr(gone, c) is None for c in IDENTITY) and gone.identity_purged_at is not None
        # The household row stays: its chain, needs and history point at it.
        assert gone.public_code == past["gone"].public_code and gone.tier == "marginal"
        for kept in (recent, active):
            assert all(getattr(kept, c) is not None for c in IDENTITY if c != "row_digest")
            assert kept.identity_purged_at is None
        old, new = s.get(Fulfilment, past["old_evidence"]), s.get(Fulfilment, past["new_evidence"])
        assert (old.summary, old.review_reason) == (retention.EVIDENCE_PURGED, None)
        assert old.amount_fen == 300000 and old.status == "verified"
        assert (new.summary, new.review_reason) == ("已将学费转入学校账户", "票据齐全")
        left = set(s.scalars(select(AccessLog.id)))
        assert left == {past["new_contact"], past["new_view"]}
        event = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "retention.purge")).one()
        assert event.rows == 6 and event.detail["identities"] == 1 and event.detail["evidence_files"] == 1
    # Chain content untouched: same entries, same hashes, and the chains verify.
    assert snapshot(tx)[3] == entries_before
    with tx() as s:
        assert first_break(s) is None
    assert cli("verify-ledger").exit_code == 0
    # Nothing is left to purge.
    assert cli("purge", "--dry-run").stdout.strip().endswith("would_purge.access_log=0 would_purge.referral_contacts=0")


def test_batches_walk_the_whole_span_of_ids(engine, world):
    household = person(world, 7)
    old = [log_row(world, household, world.poster, "view_chain", 2 * YEAR) for _ in range(7)]
    keep = log_row(world, household, world.poster, "view_chain", timedelta(days=1))
    old += [log_row(world, household, world.charity, "view_contact", 5 * YEAR) for _ in range(4)]
    counts = retention.purge(engine, PERIODS, batch=2)
    assert counts == {"identities": 0, "evidence": 0, "evidence_files": 0, "contact_disclosures": 4, "access_log": 7,
                      "referral_contacts": 0}
    with world.tx() as s:
        assert list(s.scalars(select(AccessLog.id))) == [keep]


def test_the_worker_purges_once_a_day(app, tx, world):
    household = person(world, 8)
    leave(world, household, 4 * YEAR)
    assert retention.purge_if_due(app) == {"identities": 1, "evidence": 0, "evidence_files": 0,
                                           "contact_disclosures": 0, "access_log": 0, "referral_contacts": 0}
    assert retention.purge_if_due(app) is None  # less than a day since the last
    log_row(world, household, world.poster, "view_chain", 2 * YEAR)
    assert retention.purge_if_due(app, now=utcnow() + timedelta(hours=25))["access_log"] == 1
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(SecurityEvent)
                        .where(SecurityEvent.kind == "retention.purge")) == 2


def test_a_purged_households_page_says_its_identity_was_purged(app, client, world, tx):
    household = person(world, 9)
    world.need("verified", household=household)
    leave(world, household, 4 * YEAR)
    retention.purge(app.extensions["marketplace.engine"], PERIODS)
    login(client, "poster@guoyang.gov.cn")
    response = client.get(f"/staff/households/{household.public_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "按保存期限清除" in body and "户主9" not in body and "13905580009" not in body
    assert "第1条" in body or "救助记录" in body  # the chain is still shown


def test_leaving_stamps_left_at_and_coming_back_clears_it(world, tx):
    household = person(world, 10)
    with tx() as s:
        assert s.get(Household, household.id).left_at is None
        s.get(Household, household.id).status = "exited"
    with tx() as s:
        left_at = s.get(Household, household.id).left_at
        assert left_at is not None and utcnow() - left_at < timedelta(minutes=1)
        s.get(Household, household.id).tier = "dibao"  # another change keeps the date of leaving
    with tx() as s:
        assert s.get(Household, household.id).left_at == left_at
        s.get(Household, household.id).status = "active"
    with tx() as s:
        assert s.get(Household, household.id).left_at is None
