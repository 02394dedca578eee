"""Helpers the import tests share: a valid base row, the errors CSV, and a decrypted snapshot of
everything an import writes, to compare two imports field by field."""

import csv

import synthetic
from sqlalchemy import func, select
from sqlmodel import SQLModel

from marketplace.ledger.models import LedgerEntry
from marketplace.regions.models import Region
from marketplace.registry.models import Household, HouseholdHistory


def base_row(**overrides) -> dict[str, str]:
    """One valid registry row by header; keyword arguments replace cells (by Chinese header)."""
    row = dict(zip(synthetic.HEADERS, [
        "341621000000001", "王秀英", synthetic.make_id(), "3", "低保", "341621100", "三组12号", "13912345678",
        "重病、独居", "2021-03-07",
    ], strict=True))
    row.update(overrides)
    return row


def read_errors(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot(engine, vault) -> dict:
    """Everything an import writes, decrypted, keyed by what is stable across two imports (not ids,
    public codes, nonces or timestamps)."""
    with engine.connect() as conn:
        households = {}
        for h in conn.execute(select(Household)).mappings():
            households[h["household_no"]] = (
                vault.decrypt(h["head_name_enc"]), vault.decrypt(h["id_number_enc"]), h["id_hmac"],
                vault.decrypt(h["phone_enc"]), vault.decrypt(h["address_enc"]), h["tier"], h["members"],
                h["region_code"], tuple(h["hardships"]), h["enrolled_on"], h["head_birth_year"], h["status"],
                h["row_digest"], len(h["public_code"]),
            )
        numbers = dict(conn.execute(select(Household.id, Household.household_no)).all())
        history = sorted((numbers[r.household_id], repr(sorted(r.changes.items())), r.source)
                         for r in conn.execute(select(HouseholdHistory)))
        regions = sorted(conn.execute(select(Region.code, Region.name, Region.level, Region.parent_code)
                                      .where(func.length(Region.code) > 6)).all())
        ledger = sorted((numbers[e.household_id], e.seq, e.source, e.kind, e.category, e.title, e.amount_fen,
                         e.occurred_on, e.external_key) for e in conn.execute(select(LedgerEntry)))
        public_codes = conn.execute(select(func.count(func.distinct(Household.public_code)))).scalar()
    return {"households": households, "history": history, "regions": regions, "ledger": ledger,
            "distinct_public_codes": public_codes}


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def empty_database(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
