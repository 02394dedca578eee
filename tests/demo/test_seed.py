"""`marketplace demo` seeds a realistic 亳州 once; running it again adds nothing."""

import io
import random
import re
from collections import Counter

from PIL import Image
from sqlalchemy import func, select
from sqlmodel import SQLModel

from marketplace.claims.models import Claim
from marketplace.confirmation.models import DeliverySlip, FollowUp
from marketplace.confirmation.service import CONFIRMATION_LABELS
from marketplace.demo import evidence_art
from marketplace.demo.seed import seed_demo
from marketplace.evidence import service as evidence_files
from marketplace.evidence.models import EvidenceFile
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.models import AppUser, Household, Need, Organization, Region
from marketplace.registry import idcard


def _counts(tx):
    with tx() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in SQLModel.metadata.sorted_tables}


def test_demo_seed_is_realistic_idempotent_and_identities_are_encrypted(app, engine, tx):
    vault, store = app.extensions["marketplace.vault"], app.extensions["marketplace.storage"]
    logins = seed_demo(engine, vault, store=store)
    first = _counts(tx)
    assert seed_demo(engine, vault, store=store) == logins
    assert _counts(tx) == first
    _assert_valid_encrypted_identities(tx, vault)
    _assert_evidence_and_confirmations(tx, store)

    with tx() as s:
        counties = s.scalars(select(Region.name).where(Region.level == "county")).all()
        assert sorted(counties) == sorted(["谯城区", "涡阳县", "蒙城县", "利辛县"])
        assert s.scalar(select(func.count()).select_from(Region).where(Region.level == "township")) >= 60
        assert 1900 <= s.scalar(select(func.count()).select_from(Household)) <= 2100
        tiers = Counter(s.scalars(select(Household.tier)))
        assert tiers.most_common(1)[0][0] == "dibao"
        assert set(tiers) == {"dibao", "tekun", "marginal", "rigid_expense", "monitored", "other"}
        statuses = Counter(s.scalars(select(Need.status)))
        assert set(statuses) == {"draft", "open", "claimed", "in_progress", "submitted", "verified", "expired",
                                 "cancelled"}
        assert 280 <= sum(statuses.values()) <= 320
        assert len(set(s.scalars(select(Need.category)))) == 10
        # 20 charities, social organisations and companies, and 6 government departments (分类推送)
        assert s.scalar(select(func.count()).select_from(Organization).where(Organization.kind != "government")) == 20
        assert s.scalar(select(func.count()).select_from(Organization).where(Organization.kind == "government")) == 6
        assert s.scalar(select(func.count()).select_from(AppUser).where(AppUser.role == "volunteer")) == 50
        assert first_break(s) is None
    emails = [email for _, email, _, _ in logins]
    assert {"staff@shanqiao.demo", "verifier@shanqiao.demo", "charity@shanqiao.demo",
            "volunteer@shanqiao.demo"} <= set(emails)


def _assert_valid_encrypted_identities(tx, vault):
    with tx() as s:
        households = s.scalars(select(Household)).all()
        names = {r.code: r.name for r in s.scalars(select(Region))}
    ids, phones = set(), set()
    for h in households:
        name, number = vault.decrypt(h.head_name_enc), vault.decrypt(h.id_number_enc)
        phone, address = vault.decrypt(h.phone_enc), vault.decrypt(h.address_enc)
        assert 2 <= len(name) <= 3
        _, born = idcard.validate(number)
        assert number[:6] == h.region_code[:6] and born.year == h.head_birth_year
        assert h.id_hmac == vault.lookup_key(number)
        assert re.fullmatch(r"1[3-9]\d{9}", phone)
        assert address.startswith(names[h.region_code[:6]] + names[h.region_code[:9]])
        assert re.search(r"(村\d+号|社区\d+栋\d单元\d0\d室)$", address), address
        ids.add(number)
        phones.add(phone)
    assert len(ids) == len(phones) == len(households)



def _assert_evidence_and_confirmations(tx, store):
    """Verified needs carry drawn photos and receipts, stored without the EXIF (GPS included) the phone wrote;
    some deliveries are confirmed by the household's code, some by a signed slip or a visit, service needs
    mostly by nothing (未经受助方确认); one organisation has enough follow-ups for the public directory."""
    drawn = Image.open(io.BytesIO(evidence_art.parcel(random.Random(1), "米面油")))
    assert drawn.getexif().get_ifd(0x8825), "the demo's photos are drawn with GPS, as a phone writes them"
    with tx() as s:
        files = s.scalars(select(EvidenceFile).where(EvidenceFile.attached_at.is_not(None))).all()
        assert {f.kind for f in files} == {"image", "pdf"}
        assert {"receipt", "delivery", "before", "after", "slip", "photo"} <= {f.role for f in files}
        verified = s.execute(select(Need, Claim).join(Claim, Claim.need_id == Need.id)
                             .where(Need.status == "verified", Claim.status == "completed")).all()
        assert len(verified) == s.scalar(select(func.count()).select_from(Need).where(Need.status == "verified"))
        for need, claim in verified:
            assert evidence_files.missing_roles(s, need, claim=claim) == [], need.form
        for f in files:
            for key in (f.sha256, f.thumb_sha256):
                stored = store.get(key)
                if key == f.thumb_sha256 or f.kind == "image":
                    image = Image.open(io.BytesIO(stored))
                    assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
                else:
                    assert stored.startswith(b"%PDF-")

        slips = s.scalars(select(DeliverySlip)).all()
        assert any(slip.confirmed_via == "code" for slip in slips)
        follow_ups = s.scalars(select(FollowUp)).all()
        assert follow_ups and all(f.received and 1 <= f.satisfaction <= 5 for f in follow_ups)
        rated = Counter(f.organization_id for f in follow_ups if f.organization_id is not None)
        assert rated.most_common(1)[0][1] >= 5
        ways = Counter(s.scalars(select(LedgerEntry.confirmation).where(LedgerEntry.confirmation.is_not(None))))
        assert {"code", "slip", "visit", "none"} <= set(ways)
        assert CONFIRMATION_LABELS["none"] == "未经受助方确认"
