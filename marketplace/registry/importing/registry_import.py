"""The registry import (低收入人口名单): an idempotent upsert keyed by 户编号.

Per batch: rows are validated without the database; then, in one transaction, the batch's households are
fetched by 户编号 (digest only), and a row whose keyed digest of its normalised values matches is
unchanged, recognised without decrypting anything. New households are inserted in bulk with their
identifiers encrypted; changed ones are updated and get a history row whose `changes` holds [old, new]
for registry facts and only "changed" for identifiers, so history never holds plaintext. A batch commits
whole or not at all, so a history row exists exactly when its update does. No history row is written
for a new household: its created_at says when it arrived.

An ID number already held by a household with another 户编号 is rejected (one person, one household),
judged against the database as it stood before the batch.

Scope (issue 11): existing households are looked up inside `scope_prefix` only, so a 户编号 never finds a
household of another region to update. A 户编号 that is taken outside the scope (户编号 is unique
nationally) is a rejected row, "该户属于其他行政区划". The import never moves a household: a row whose
region is not the stored one or a more precise code inside it is rejected; moving is its own action
(registry/moving.py), for staff whose scope covers both places.

A household that had left the registry (status not active) and is listed again is back: it becomes active,
its `left_at` and `identity_purged_at` are cleared and the row's identifiers stored again (retention,
privacy/retention.py), with a history row saying so, even when the row is otherwise unchanged."""

import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from ...db import transaction
from ...modelbase import utcnow
from ...outbox.service import region_changed
from ...privacy.identity import name_lookup
from ...privacy.vault import Vault
from ...regions.national import ensure_national
from .. import tier_counts
from ..models import Household, HouseholdHistory
from ..service import _ALPHABET
from .areas import Areas
from .columns import REGISTRY
from .report import ImportResult, Rejection
from .rows import RegistryParser, RegistryRow
from .runner import Importer, in_chunks, run, unit_of_work

ID_ELSEWHERE = "该身份证号已登记在其他户编号下（同一人只能属于一户）"
ELSEWHERE = "该户属于其他行政区划"
MOVE_REFUSED = "与该户登记的行政区划不同；名单导入不迁移家庭，请在该户页面办理迁移"
_IDENTIFIERS = {"head_name": "head_name_enc", "phone": "phone_enc", "address": "address_enc"}


def duplicate(line: int, header: str) -> str:
    return f"与第{line}行的{header}重复"


class RegistryImporter(Importer):
    layout = REGISTRY

    def __init__(self, engine: Engine, vault: Vault, *, dry_run: bool, scope_prefix: str | None,
                 actor_id: int | None, source: str):
        self.engine, self.vault, self.dry_run = engine, vault, dry_run
        self.scope_prefix, self.actor_id, self.source = scope_prefix, actor_id, source
        # Keys seen earlier in this file -> their line, so a repeat can name the line it repeats.
        self.seen_no: dict[str, int] = {}
        self.seen_id: dict[str, int] = {}

    def prepare(self, columns) -> None:
        super().prepare(columns)
        if not self.dry_run:
            with transaction(self.engine) as session:
                ensure_national(session)
        with self.engine.execution_options(read_only=True).connect() as connection:
            self.areas = Areas(connection, include_national=self.dry_run, scope_prefix=self.scope_prefix)
        self.parser = RegistryParser(columns, vault=self.vault, areas=self.areas, today=date.today())

    def batch(self, rows: list[tuple[int, list[str]]]) -> list[Rejection]:
        rejections, valid = self._validate(rows)
        try:
            with unit_of_work(self.connection, self.dry_run) as session:
                counts, refused = self._write(session, valid)
        except BaseException:
            self.areas.rolled_back()
            raise
        self.areas.committed()
        rejections += [Rejection(row.line, row.cells, [(REGISTRY.header_of[key], reason)])
                       for row, key, reason in refused]
        self.result.imported += counts["imported"]
        self.result.updated += counts["updated"]
        self.result.unchanged += counts["unchanged"]
        return rejections

    def _validate(self, rows) -> tuple[list[Rejection], list[RegistryRow]]:
        rejections: list[Rejection] = []
        valid: list[RegistryRow] = []
        no_header, id_header = REGISTRY.header_of["household_no"], REGISTRY.header_of["id_number"]
        for line, cells in rows:
            row, problems, keys = self.parser.parse(line, cells)
            if "household_no" in keys:
                earlier = self.seen_no.setdefault(keys["household_no"], line)
                if earlier != line:
                    problems.append((no_header, duplicate(earlier, no_header)))
            if "id_hmac" in keys:
                earlier = self.seen_id.setdefault(keys["id_hmac"], line)
                if earlier != line:
                    problems.append((id_header, duplicate(earlier, id_header)))
            if problems:
                rejections.append(Rejection(line, cells, problems))
            else:
                valid.append(row)
        return rejections, valid

    def _scoped(self, query):
        """`query` limited to households inside the actor's scope (the CLI's operator has all of them)."""
        if self.scope_prefix:
            query = query.where(Household.region_code.startswith(self.scope_prefix))
        return query

    def _write(self, session, rows: list[RegistryRow]) -> tuple[dict, list[tuple[RegistryRow, str, str]]]:
        counts = {"imported": 0, "updated": 0, "unchanged": 0}
        digests, regions, away = {}, {}, set()
        for chunk in in_chunks([row.household_no for row in rows]):
            query = self._scoped(select(Household.household_no, Household.row_digest, Household.region_code,
                                        Household.status).where(Household.household_no.in_(chunk)))
            for number, digest, region, status in session.execute(query):
                digests[number], regions[number] = digest, region
                if status != "active":
                    away.add(number)
        # A 户编号 not found in scope may still be taken elsewhere: it is refused, never updated, never inserted
        # twice. This probe only ever refuses; nothing it finds is read or written.
        taken = set()
        if self.scope_prefix:
            for chunk in in_chunks([row.household_no for row in rows if row.household_no not in digests]):
                taken.update(session.scalars(select(Household.household_no).where(Household.household_no.in_(chunk))))
        refused, kept = [], []
        for row in rows:
            if row.household_no in taken:
                refused.append((row, "household_no", ELSEWHERE))
            elif _moves(row, regions.get(row.household_no)):
                refused.append((row, "region_code", MOVE_REFUSED))
            else:
                kept.append(row)
        rows = kept
        pending = [row for row in rows if digests.get(row.household_no, "") != row.digest or row.household_no in away]
        counts["unchanged"] = len(rows) - len(pending)
        holders = {}
        # One person, one household, nationally: the ID number is checked in every region (the unique
        # index would refuse it anyway); the row is only refused, the holder is never touched.
        for chunk in in_chunks([row.id_hmac for row in pending]):
            query = select(Household.id_hmac, Household.household_no).where(Household.id_hmac.in_(chunk))
            holders.update(session.execute(query).all())
        refused += [(row, "id_number", ID_ELSEWHERE) for row in pending
                    if holders.get(row.id_hmac, row.household_no) != row.household_no]
        pending = [row for row in pending if holders.get(row.id_hmac, row.household_no) == row.household_no]
        for row in pending:
            self.areas.want(row.region_code)
        now = utcnow()
        new = [row for row in pending if row.household_no not in digests]
        updates, history, moves = self._changes(session, [row for row in pending if row.household_no in digests], now)
        if not self.dry_run:
            self.areas.create_pending(session)
            if new:
                codes = _public_codes(session, len(new))
                # Core insert: the ORM's bulk path drops None values and splits the batch by which columns are set.
                session.execute(insert(Household.__table__),
                                [self._new_values(row, code, now) for row, code in zip(new, codes, strict=True)])
            if updates:
                session.execute(update(Household), updates)
            if history:
                session.execute(insert(HouseholdHistory), history)
            # The k-anonymity figures change with the households, in the same transaction.
            tier_counts.apply(session, [(None, (row.region_code, row.tier, "active")) for row in new] + moves)
            # Household counts decide whether a need may name its township (k-anonymity): the search
            # index re-reads the needs of every county this batch touched.
            for county in sorted({row.region_code[:6] for row in pending}):
                region_changed(session, county)
        counts["imported"] = len(new)
        counts["updated"] = len(history)
        counts["unchanged"] += len(updates) - len(history)
        return counts, refused

    def _new_values(self, row: RegistryRow, code: str, now) -> dict:
        encrypt = self.vault.encrypt
        return {
            "public_code": code, "household_no": row.household_no, "tier": row.tier, "region_code": row.region_code,
            "members": row.members, "hardships": row.hardships, "head_birth_year": row.birth_year,
            "head_name_enc": encrypt(row.head_name), "id_number_enc": encrypt(row.id_number), "id_hmac": row.id_hmac,
            "name_hmac": name_lookup(self.vault, row.head_name),
            "phone_enc": encrypt(row.phone), "address_enc": encrypt(row.address), "enrolled_on": row.enrolled_on,
            "row_digest": row.digest, "status": "active", "created_at": now, "updated_at": now,
        }

    def _changes(self, session, rows: list[RegistryRow], now) -> tuple[list[dict], list[dict], list[tuple]]:
        """Bulk-update parameter sets and history rows for rows whose digest differs. A row whose stored
        values already match (a household entered by hand, or a file reformatted) only gets its digest.
        Also each changed household's (region, tier, status) before and after, for tier_counts."""
        by_no = {row.household_no: row for row in rows}
        updates, history, moves = [], [], []
        for chunk in in_chunks(list(by_no)):
            for household in session.scalars(self._scoped(select(Household).where(Household.household_no.in_(chunk)))):
                row = by_no[household.household_no]
                values, changes = self._diff(household, row)
                if household.status != "active":  # listed again: back on the registry
                    values.update(status="active", left_at=None, identity_purged_at=None)
                    changes["status"] = [household.status, "active"]
                before = (household.region_code, household.tier, household.status)
                after = tuple(values.get(name, old) for name, old in zip(("region_code", "tier", "status"), before,
                                                                          strict=True))
                if after != before:
                    moves.append((before, after))
                values.update(id=household.id, row_digest=row.digest)
                if changes:
                    values["updated_at"] = now
                    history.append({"household_id": household.id, "source": self.source, "actor_id": self.actor_id,
                                    "changes": changes, "at": now})
                updates.append(values)
        return updates, history, moves

    def _diff(self, household: Household, row: RegistryRow) -> tuple[dict, dict]:
        new = {"tier": row.tier, "members": row.members, "region_code": row.region_code,
               "head_birth_year": row.birth_year}
        new.update({key: getattr(row, key) for key in ("hardships", "enrolled_on") if key in row.present})
        values, changes = {}, {}
        for name, value in new.items():
            old = getattr(household, name)
            if old != value:
                values[name] = value
                changes[name] = [_jsonable(old), _jsonable(value)]
        if household.id_hmac != row.id_hmac:
            values.update(id_hmac=row.id_hmac, id_number_enc=self.vault.encrypt(row.id_number))
            changes["id_number"] = "changed"
        # Also when only the lookup is missing (a household stored before names had one).
        name_key = name_lookup(self.vault, row.head_name)
        if household.name_hmac != name_key:
            values["name_hmac"] = name_key
        for name, column in _IDENTIFIERS.items():
            if name != "head_name" and name not in row.present:
                continue
            value = getattr(row, name)
            if self.vault.decrypt(getattr(household, column)) != value:
                values[column] = self.vault.encrypt(value)
                changes[name] = "changed"
        return values, changes


def _moves(row: RegistryRow, stored: str | None) -> bool:
    """Would the row move its household? Its region is neither the stored one nor inside it (a village
    code for a household filed under its township is more precise, not a move)."""
    return stored is not None and not row.region_code.startswith(stored)


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _draw(count: int) -> list[str]:
    # One urandom read for the lot; bytes >= 248 are dropped so that `% 31` stays unbiased.
    symbols: list[str] = []
    while len(symbols) < count * 8:
        symbols += [_ALPHABET[b % 31] for b in secrets.token_bytes(count * 9) if b < 248]
    return ["H" + "".join(symbols[i:i + 8]) for i in range(0, count * 8, 8)]


def _public_codes(session, count: int) -> list[str]:
    """`count` fresh public codes in the format of registry.service.new_public_code, checked against the
    database in bulk rather than one query per household."""
    codes: set[str] = set()
    while len(codes) < count:
        draw = set(_draw(count - len(codes))) - codes
        for chunk in in_chunks(list(draw)):
            draw -= set(session.scalars(select(Household.public_code).where(Household.public_code.in_(chunk))))
        codes |= draw
    return list(codes)


def import_registry(engine: Engine, vault: Vault, path, *, dry_run: bool = False, errors_path=None,
                    scope_prefix: str | None = None, actor_id: int | None = None, progress=None) -> ImportResult:
    """Import a registry file (see the package docstring). Raises ImportFileError, with nothing written,
    when the file cannot be read or lacks a required header."""
    importer = RegistryImporter(engine, vault, dry_run=dry_run, scope_prefix=scope_prefix, actor_id=actor_id,
                                source=f"名单导入 {Path(path).name}"[:120])
    return run(importer, path, errors_path=errors_path, progress=progress)
