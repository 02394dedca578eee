"""`marketplace demo` seeds a realistic 亳州 once; running it again adds nothing."""

import re
from collections import Counter

from sqlalchemy import func, select
from sqlmodel import SQLModel

from marketplace.demo.seed import seed_demo
from marketplace.ledger.service import first_break
from marketplace.models import AppUser, Household, Need, Organization, Region
from marketplace.registry import idcard


def _counts(tx):
    with tx() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in SQLModel.metadata.sorted_tables}


def test_demo_seed_is_realistic_idempotent_and_identities_are_encrypted(app, engine, tx):
    vault = app.extensions["marketplace.vault"]
    logins = seed_demo(engine, vault)
    first = _counts(tx)
    assert seed_demo(engine, vault) == logins
    assert _counts(tx) == first
    _assert_valid_encrypted_identities(tx, vault)

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
        assert s.scalar(select(func.count()).select_from(Organization)) == 20
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

