"""What `marketplace keys rotate` re-makes under the new data key, table by table (privacy/rotation.py
runs the steps in id order, in batches, and records its progress).

- Ciphertext columns are decrypted with the vault that holds both keys and encrypted with the new one;
  a row already under the new key (a resumed run, the final sweep) is left alone.
- Household.id_hmac is recomputed from the decrypted ID number, and Household.name_hmac from the
  decrypted head's name, so lookups by 身份证号 and by 姓名 keep working.
- Keyed digests of imported rows are recomputed from the row when its fields are what was keyed: the
  aid import's LedgerEntry.external_key (household, 救助项目, amount, date: fields of an append-only
  entry, and external_key is not part of the entry's hash) and the need list's Need.import_key
  (household, category, title, deadline). A key that does not match its row under the old key (a title
  edited since the import, or a key of another kind) is left as it is and counted: no key can be
  derived for it, and re-importing that row would post it again.
- Household.row_digest cannot be recomputed without the source row: it is set to NULL once, and the
  next registry import compares such households by decrypting them (registry_import treats a NULL
  digest as "changed?") and stores fresh digests.

Every step is a Step: which rows to read and how to turn them into UPDATE parameter sets by primary
key. The test tests/privacy/test_key_rotation.py asserts that every *_enc column of the schema is here."""

import base64
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table

from ..auth.models import AppUser
from ..ledger.models import LedgerEntry
from ..needs.models import Need
from ..organizations.models import Organization
from ..outbox.models import OutboxMessage
from ..referrals.models import FamilyReferral
from ..registry.models import Household
from ..volunteering.models import VolunteerProfile
from .identity import name_lookup
from .vault import Vault


@dataclass(frozen=True)
class Step:
    name: str
    table: Table
    columns: tuple[str, ...]  # read besides the primary key
    remake: Callable  # (rows, reader, writer, counts) -> list of {"_id": ..., column: value}
    where: Callable | None = None  # (table) -> extra condition on the rows read
    # Rows whose ciphertext may be rewritten after their batch (an import updating a phone): the closing
    # sweep re-reads all of them. Other tables are written once, so only rows added since are read again.
    rewritten: bool = True


def _under(blob, writer: Vault) -> bool:
    return blob is None or bytes(blob[:9]) == writer.header


def _blobs(columns: tuple[str, ...]) -> Callable:
    def remake(rows, reader: Vault, writer: Vault, counts: dict) -> list[dict]:
        changed = []
        for row in rows:
            if all(_under(row[c], writer) for c in columns):
                continue
            changed.append({"_id": row["id"], **{c: writer.encrypt(reader.decrypt(row[c])) for c in columns}})
        return changed

    return remake


def _households(rows, reader: Vault, writer: Vault, counts: dict) -> list[dict]:
    columns = ("head_name_enc", "id_number_enc", "phone_enc", "address_enc")
    changed = []
    for row in rows:
        if all(_under(row[c], writer) for c in columns):
            continue
        values = {c: writer.encrypt(reader.decrypt(row[c])) for c in columns}
        number = reader.decrypt(row["id_number_enc"])
        if number and row["id_hmac"] and reader.lookup_key(number) != row["id_hmac"]:
            counts["id_hmac_unmatched"] = counts.get("id_hmac_unmatched", 0) + 1
        values["id_hmac"] = writer.lookup_key(number) if number else row["id_hmac"]
        values["name_hmac"] = name_lookup(writer, reader.decrypt(row["head_name_enc"]))
        changed.append({"_id": row["id"], **values})
    return changed


def _outbox(rows, reader: Vault, writer: Vault, counts: dict) -> list[dict]:
    prefix = base64.b64encode(writer.header).decode("ascii")  # 9 bytes: exactly 12 base64 characters
    changed = []
    for row in rows:
        payload = row["payload"] or {}
        sealed = payload.get("sealed")
        if not sealed or sealed.startswith(prefix):
            continue
        text = reader.decrypt(base64.b64decode(sealed))
        blob = writer.encrypt(text)
        changed.append({"_id": row["id"], "payload": {**payload, "sealed": base64.b64encode(blob).decode("ascii")}})
    return changed


def _keyed(column: str, parts: Callable, counter: str) -> Callable:
    def remake(rows, reader: Vault, writer: Vault, counts: dict) -> list[dict]:
        changed = []
        for row in rows:
            fields = parts(row)
            new = writer.digest(*fields)
            if new == row[column]:  # done already (a resumed run)
                continue
            if reader.digest(*fields) != row[column]:
                counts[counter] = counts.get(counter, 0) + 1
                continue
            changed.append({"_id": row["id"], column: new})
        return changed

    return remake


def _aid_parts(row) -> tuple:
    from ..registry.importing.aid_import import _VERSION  # the aid import's own key format

    return (_VERSION, row["household_id"], row["title"], row["amount_fen"], row["occurred_on"].isoformat())


def _need_parts(row) -> tuple:
    from ..needs.importing import _VERSION

    return (_VERSION, row["household_id"], row["category"], row["title"], row["deadline"].isoformat())


def steps() -> list[Step]:
    household, need, entry = Household.__table__, Need.__table__, LedgerEntry.__table__
    return [
        Step("household", household,
             ("head_name_enc", "id_number_enc", "phone_enc", "address_enc", "id_hmac", "name_hmac"), _households),
        Step("volunteer_profile", VolunteerProfile.__table__, ("name_enc", "phone_enc"),
             _blobs(("name_enc", "phone_enc"))),
        Step("organization", Organization.__table__, ("contact_name_enc", "contact_phone_enc"),
             _blobs(("contact_name_enc", "contact_phone_enc"))),
        # 双向转介: the name and phone a referrer gave, encrypted as registry identities are.
        Step("family_referral", FamilyReferral.__table__, ("name_enc", "phone_enc"), _blobs(("name_enc", "phone_enc"))),
        Step("app_user", AppUser.__table__, ("totp_secret_enc",), _blobs(("totp_secret_enc",)),
             lambda t: t.c.totp_secret_enc.is_not(None)),
        Step("outbox_message", OutboxMessage.__table__, ("payload",), _outbox, lambda t: t.c.topic == "mail",
             rewritten=False),
        Step("ledger_entry", entry, ("external_key", "household_id", "title", "amount_fen", "occurred_on"),
             _keyed("external_key", _aid_parts, "external_key_unmatched"), lambda t: t.c.external_key.is_not(None),
             rewritten=False),
        Step("need", need, ("import_key", "household_id", "category", "title", "deadline"),
             _keyed("import_key", _need_parts, "import_key_unmatched"), lambda t: t.c.import_key.is_not(None),
             rewritten=False),
    ]


# Columns a step covers, for the schema test: every encrypted column must be one of these.
COVERED = {("household", c) for c in ("head_name_enc", "id_number_enc", "phone_enc", "address_enc")} | {
    ("volunteer_profile", "name_enc"), ("volunteer_profile", "phone_enc"), ("organization", "contact_name_enc"),
    ("organization", "contact_phone_enc"), ("app_user", "totp_secret_enc"), ("family_referral", "name_enc"),
    ("family_referral", "phone_enc")}
