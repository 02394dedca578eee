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
