"""Evidence files go with the rest of the evidence text once the review is RETENTION_EVIDENCE_DAYS old:
marked purged by `marketplace purge`, no longer served, and their bytes swept by the worker."""

from datetime import timedelta

from file_support import files_of, signed_in
from sqlalchemy import select

from marketplace.db import engine_of
from marketplace.evidence.storage import storage
from marketplace.fulfilment.models import Fulfilment
from marketplace.modelbase import utcnow
from marketplace.privacy import retention
from marketplace.worker import run_housekeeping

PERIODS = retention.Periods(identity=3 * 365, evidence=3 * 365, disclosures=3 * 365, access_log=365)


def _reviewed(world, need, ago: timedelta) -> None:
    with world.tx() as s:
        evidence = s.scalars(select(Fulfilment).where(Fulfilment.need_id == need.id)).one()
        evidence.reviewed_at = utcnow() - ago


def test_files_of_evidence_reviewed_long_ago_are_purged_and_swept(app, world, tx):
    old, recent, retrofit = world.need("submitted"), world.need("submitted"), world.need("submitted", form="retrofit")
    _reviewed(world, old, timedelta(days=4 * 365))
    _reviewed(world, retrofit, timedelta(days=3 * 365 + 1))
    _reviewed(world, recent, timedelta(days=30))
    assert retention.purge(engine_of(app), PERIODS, dry_run=True)["evidence_files"] == 3
    counts = retention.purge(engine_of(app), PERIODS)
    assert counts["evidence_files"] == 3
    gone = files_of(tx, need_id=old.id) + files_of(tx, need_id=retrofit.id)
    (kept,) = files_of(tx, need_id=recent.id)
    assert all(f.purged_at is not None for f in gone) and kept.purged_at is None
    verifier = signed_in(app, "verifier@guoyang.gov.cn")
    assert verifier.get(f"/evidence-files/{gone[0].id}").status_code == 404
    assert verifier.get(f"/evidence-files/{kept.id}").status_code == 200
    # All of World's photos are one picture: its bytes stay while the recent file is live.
    run_housekeeping(app)
    assert all(f.blob_deleted_at is not None for f in files_of(tx, need_id=old.id))
    assert storage(app).exists(kept.sha256)
    assert retention.purge(engine_of(app), PERIODS)["evidence_files"] == 0  # nothing twice


def test_files_staged_long_ago_and_never_submitted_are_purged(app, world, tx):
    """A claim released before its evidence was submitted leaves its staged photos: they go on the same
    clock, counted from the upload."""
    from marketplace.claims.models import Claim
    from marketplace.evidence.models import EvidenceFile

    stale, fresh = world.need("in_progress"), world.need("in_progress")
    with tx() as s:
        for need, ago in ((stale, timedelta(days=3 * 365 + 1)), (fresh, timedelta(days=10))):
            claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
            for row in world.attach_evidence(s, world.user(s, world.charity), s.merge(need), claim=claim):
                s.get(EvidenceFile, row.id).uploaded_at = utcnow() - ago
    assert retention.purge(engine_of(app), PERIODS)["evidence_files"] == 1
    (purged,) = files_of(tx, need_id=stale.id)
    (kept,) = files_of(tx, need_id=fresh.id)
    assert purged.purged_at is not None and purged.attached_at is None
    assert kept.purged_at is None
