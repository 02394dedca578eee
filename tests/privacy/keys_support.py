"""A registry with every kind of encrypted and keyed data, built through the importers and services, and
the checks that all of it reads under a given key: shared by the key-rotation and backup tests."""

import csv
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "registry"))
import synthetic  # noqa: E402

from marketplace.auth.models import AppUser, RecoveryCode  # noqa: E402
from marketplace.ledger.models import LedgerEntry  # noqa: E402
from marketplace.needs.models import Need  # noqa: E402
from marketplace.organizations.models import Organization  # noqa: E402
from marketplace.outbox.models import OutboxMessage  # noqa: E402
from marketplace.registry.importing import import_aid, import_registry  # noqa: E402
from marketplace.registry.models import Household  # noqa: E402
from marketplace.volunteering.models import VolunteerProfile  # noqa: E402

AID_HEADERS = ["身份证号", "救助项目", "金额", "发放日期"]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def write_csv(path: Path, headers, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def build(app, world, tmp_path: Path, households: int) -> dict:
    """Households imported from a registry file, government aid imported by 身份证号 for every other one,
    an organisation contact, a volunteer, a TOTP account with recovery codes, a sealed mail, and a need
    with an import key. Returns the files and what each household decrypted to."""
    from marketplace.needs.importing import _VERSION as NEED_KEY
    from marketplace.notify.outbox_mail import queue

    engine, vault = app.extensions["marketplace.engine"], app.extensions["marketplace.vault"]
    rows = list(synthetic.rows(households, seed=13))
    registry = write_csv(tmp_path / "registry.csv", synthetic.HEADERS, rows)
    assert import_registry(engine, vault, registry).imported == households
    paid = [[row[2], "临时救助" if n % 3 else "低保金", str(100 + n), (date(2025, 1, 1) + timedelta(days=n)).isoformat()]
            for n, row in enumerate(rows) if n % 2 == 0]
    aid = write_csv(tmp_path / "aid.csv", AID_HEADERS, paid)
    assert import_aid(engine, vault, aid).imported == len(paid)
    with world.tx() as s:
        s.execute(update(Organization).where(Organization.id == world.org_id)
                  .values(contact_name_enc=vault.encrypt("周联络"), contact_phone_enc=vault.encrypt("13800001111")))
        s.add(VolunteerProfile(user_id=world.volunteer, name_enc=vault.encrypt("吴志愿"),
                               phone_enc=vault.encrypt("13900002222")))
        user = s.get(AppUser, world.poster)
        user.totp_secret_enc, user.totp_enabled_at = vault.encrypt(TOTP_SECRET), user.created_at
        s.add_all(RecoveryCode(user_id=user.id, code_hash=vault.digest("recovery-code", user.id, f"code{n:06d}"))
                  for n in range(3))
        with app.app_context():
            queue(s, to="poster@guoyang.gov.cn", subject="测试", text="重置链接 https://x/reset/abc", html=None,
                  key="rotation-test-mail", kind="password.reset", user_id=user.id, region="341621")
    household = first_household(engine)
    need = world.need(household=household)
    with world.tx() as s:
        key = vault.digest(NEED_KEY, household.id, need.category, need.title, need.deadline.isoformat())
        s.execute(update(Need).where(Need.id == need.id).values(import_key=key))
    return {"registry": registry, "aid": aid, "aid_rows": len(paid), "identities": identities(engine, vault),
            "households": households}


def first_household(engine) -> Household:
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as s:
        return s.scalars(select(Household).where(Household.region_code.startswith("341621"))
                         .order_by(Household.id)).first()


def identities(engine, vault) -> dict:
    with engine.connect() as conn:
        return {h.household_no: tuple(vault.decrypt(getattr(h, c)) for c in
                                      ("head_name_enc", "id_number_enc", "phone_enc", "address_enc"))
                for h in conn.execute(select(Household))}


def assert_all_under(engine, vault, built: dict) -> None:
    """Every ciphertext names `vault`'s key and opens with it alone; every keyed lookup is its own."""
    from marketplace.needs.importing import _VERSION as NEED_KEY
    from marketplace.notify.outbox_mail import opened
    from marketplace.registry.importing.aid_import import _VERSION as AID_KEY

    header = vault.header
    with engine.connect() as conn:
        seen = 0
        for h in conn.execute(select(Household)):
            for column in ("head_name_enc", "id_number_enc", "phone_enc", "address_enc"):
                blob = getattr(h, column)
                assert blob is None or bytes(blob[:9]) == header, (h.household_no, column)
            number = vault.decrypt(h.id_number_enc)
            assert h.id_hmac == vault.lookup_key(number)
            assert identities_of(vault, h) == built["identities"][h.household_no]
            seen += 1
        assert seen == built["households"]
        org = conn.execute(select(Organization).where(Organization.contact_name_enc.is_not(None))).one()
        assert (vault.decrypt(org.contact_name_enc), vault.decrypt(org.contact_phone_enc)) == ("周联络", "13800001111")
        profile = conn.execute(select(VolunteerProfile)).one()
        assert (vault.decrypt(profile.name_enc), vault.decrypt(profile.phone_enc)) == ("吴志愿", "13900002222")
        secret = conn.execute(select(AppUser.totp_secret_enc).where(AppUser.totp_secret_enc.is_not(None))).scalar()
        assert vault.decrypt(secret) == TOTP_SECRET
        mail = conn.execute(select(OutboxMessage).where(OutboxMessage.topic == "mail")).one()
        assert opened(mail.payload, vault)["text"] == "重置链接 https://x/reset/abc"
        for e in conn.execute(select(LedgerEntry).where(LedgerEntry.external_key.is_not(None))):
            assert e.external_key == vault.digest(AID_KEY, e.household_id, e.title, e.amount_fen,
                                                  e.occurred_on.isoformat())
        need = conn.execute(select(Need).where(Need.import_key.is_not(None))).one()
        assert need.import_key == vault.digest(NEED_KEY, need.household_id, need.category, need.title,
                                               need.deadline.isoformat())


def identities_of(vault, h) -> tuple:
    return tuple(vault.decrypt(getattr(h, c)) for c in ("head_name_enc", "id_number_enc", "phone_enc", "address_enc"))


def isolated_instance(monkeypatch, tmp_path) -> Path:
    """An instance directory (keys) of the test's own: a rotation must not change the suite's key."""
    path = tmp_path / "instance"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("MARKETPLACE_INSTANCE_PATH", str(path))
    monkeypatch.delenv("MARKETPLACE_DATA_KEY", raising=False)
    return path


def app_for(database_url: str, instance: Path, tmp_path: Path):
    from marketplace import create_app

    return create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
                       "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "MAIL_SUPPRESS_SEND": True,
                       "STAFF_2FA": "optional", "PUBLIC_PAGE_CACHE_SECONDS": 0})


def environ(database_url: str, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "MARKETPLACE_DATA_KEY"}
    return {**env, "MARKETPLACE_DATABASE_URL": database_url, "MARKETPLACE_INSTANCE_PATH": str(instance)}
