"""`marketplace demo` seeds a realistic 亳州 once; running it again adds nothing."""

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import SQLModel

from marketplace.demo.seed import seed_demo
from marketplace.ledger.service import first_break
from marketplace.models import AppUser, Household, Need, Organization, Region


def _counts(tx):
    with tx() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in SQLModel.metadata.sorted_tables}


def test_demo_seed_is_realistic_and_idempotent(engine, tx):
    logins = seed_demo(engine)
    first = _counts(tx)
    assert seed_demo(engine) == logins
    assert _counts(tx) == first

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
