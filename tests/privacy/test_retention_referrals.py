"""The name and phone a referrer gave with a family (双向转介) go after the identities' period, counted from
the decision; an open referral keeps them, and the referral itself stays for the reports."""

from datetime import date, timedelta

from marketplace.modelbase import utcnow
from marketplace.privacy import retention
from marketplace.referrals.models import FamilyReferral


def test_decided_referrals_lose_the_contact_after_the_period_open_ones_keep_it(world, tx, engine):
    with tx() as s:
        common = dict(referrer_id=world.volunteer, region_code="341621100", description="老人独居，无人照料。",
                      consent=True, consent_note="本人口头同意", name_enc=b"x", phone_enc=b"y", due_on=date.today())
        old = FamilyReferral(**common, status="decided", outcome="dibao", decided_at=utcnow() - timedelta(days=400))
        open_ = FamilyReferral(**common)
        s.add_all([old, open_])
        s.flush()
        old_id, open_id = old.id, open_.id
    periods = retention.Periods(identity=365, evidence=365, disclosures=365, access_log=365)
    counts = retention.purge(engine, periods)
    assert counts["referral_contacts"] == 1
    with tx() as s:
        purged, kept = s.get(FamilyReferral, old_id), s.get(FamilyReferral, open_id)
        assert (purged.name_enc, purged.phone_enc) == (None, None) and purged.outcome == "dibao"
        assert (kept.name_enc, kept.phone_enc) == (b"x", b"y")
    assert retention.purge(engine, periods, dry_run=True)["referral_contacts"] == 0
