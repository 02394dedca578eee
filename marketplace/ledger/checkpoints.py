"""Keyed checkpoints over the chains' ends (ledger_checkpoint): the worker writes one a day, `marketplace
ledger checkpoint` prints the latest for an auditor to keep elsewhere, `verify-ledger` checks the chains
against the latest one and against a kept copy (`--checkpoint FILE`).

What a checkpoint covers. Heads move on after a checkpoint, so it cannot be checked against today's heads,
and storing every head's position per checkpoint would copy the head table daily. It is made, and checked,
from the entries instead: for every chain, the newest entry created at or before the checkpoint's moment
(its `created_at`, "as of"), digested as (household_id, seq, entry_hash) in household order, with the
moment and the totals, under a key derived from the data key (Vault.checkpoint_mac) that never sits in the
database. Entries are append-only, so the same rule over the same entries gives the same digest on any
later day; deleting, replacing or back-dating an entry of that moment changes it. That is what the heads
alone cannot show: the newest entry of a chain removed together with its head (or with the head rewound
to the entry before). A digest forged without the key does not match, whatever key_id it claims.

Why "as of" lies a margin in the past. The rule is sound only if every entry created at or before the
moment had been committed when the checkpoint read the entries; an entry committed afterwards would change
the digest of a checkpoint nobody tampered with. An entry's created_at is set inside `append`, after the
household row is locked. So the moment is MARGIN before now (app servers' clocks may differ by less than
that), and on PostgreSQL also MARGIN before the start of the oldest open transaction that holds a
transaction id (a long aid import: locking the household row gives it one before any entry is made; the
platform's connections share one database role, whose sessions pg_stat_activity shows). SQLite has one
writer at a time, and the checkpoint is written by one."""

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

from sqlalchemy import select, text
from sqlmodel import Session

from ..modelbase import utcnow
from ..privacy.vault import Vault
from .integrity import Break
from .models import LedgerCheckpoint, LedgerEntry

MARGIN = timedelta(minutes=10)
DAY = timedelta(hours=24)
TITLE = "善桥救助链检查点 Shanqiao ledger checkpoint"
FIELDS = ("created_at", "chains", "entries", "digest", "key_id")
_BATCH = 5000
log = logging.getLogger(__name__)


class CheckpointRefused(Exception):
    """The latest checkpoint does not hold: a new one would bless what changed since."""


@dataclass
class Kept:
    """A checkpoint as printed and kept by an auditor (or as a database row)."""

    created_at: datetime
    chains: int
    entries: int
    digest: str
    key_id: str

    @classmethod
    def of(cls, row: LedgerCheckpoint) -> "Kept":
        return cls(row.created_at.astimezone(UTC), row.chains, row.entries, row.digest, row.key_id)

    @classmethod
    def parse(cls, content: str) -> "Kept":
        fields = {}
        for line in content.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in FIELDS:
                fields[key.strip()] = value.strip()
        missing = [f for f in FIELDS if f not in fields]
        if missing:
            raise ValueError(f"检查点文件缺少：{'、'.join(missing)}")
        try:
            return cls(datetime.fromisoformat(fields["created_at"]).astimezone(UTC), int(fields["chains"]),
                       int(fields["entries"]), fields["digest"], fields["key_id"])
        except ValueError as error:
            raise ValueError(f"检查点文件格式不符：{error}") from error

    def text(self) -> str:
        return "\n".join([TITLE, f"created_at: {self.created_at.isoformat()}", f"chains: {self.chains}",
                          f"entries: {self.entries}", f"digest: {self.digest}", f"key_id: {self.key_id}"])

    def same(self, other: "Kept") -> bool:
        return (self.created_at, self.chains, self.entries, self.digest, self.key_id) == (
            other.created_at, other.chains, other.entries, other.digest, other.key_id)


def latest(session: Session) -> LedgerCheckpoint | None:
    return session.scalars(select(LedgerCheckpoint)
                           .order_by(LedgerCheckpoint.created_at.desc(), LedgerCheckpoint.id.desc())).first()


def write_checkpoint(session: Session, vault: Vault, *, now: datetime | None = None) -> LedgerCheckpoint:
    """A new checkpoint as of MARGIN ago, unless the latest already covers that moment. Raises
    CheckpointRefused when the latest checkpoint made with this key no longer holds. Key rotation calls
    this after re-keying: the new key's first checkpoint."""
    as_of = _as_of(session, now or utcnow())
    previous = latest(session)
    if previous is not None and previous.key_id == vault.key_id and previous.created_at >= as_of:
        return previous
    check = previous is not None and previous.key_id == vault.key_id
    moments = [Kept.of(previous).created_at, as_of] if check else [as_of]
    tallies = _tally(session, vault, moments)
    if check and not tallies[0].matches(Kept.of(previous)):
        raise CheckpointRefused(f"最新的检查点（{previous.created_at.isoformat()}）与救助链不符，未写入新的检查点；"
                                "请运行 marketplace verify-ledger")
    made = tallies[-1]
    row = LedgerCheckpoint(created_at=as_of, chains=made.chains, entries=made.entries, digest=made.digest,
                           key_id=vault.key_id)
    session.add(row)
    session.flush()
    return row


def due(session: Session, vault: Vault, now: datetime | None = None) -> bool:
    previous = latest(session)
    return previous is None or previous.key_id != vault.key_id or (now or utcnow()) - previous.created_at >= DAY


def checkpoint_for_worker(app) -> str | None:
    """The worker's daily checkpoint, in a transaction of its own; a line to echo when one was written or
    refused, None otherwise. A refusal is retried a day later, not every round (each try reads the ledger)."""
    from ..db import engine_of, transaction

    vault = app.extensions["marketplace.vault"]
    refused_at = _refused_at.get(id(app))
    if refused_at is not None and utcnow() - refused_at < DAY:
        return None
    with transaction(engine_of(app)) as session:
        if not due(session, vault):
            return None
        before = latest(session)
        try:
            row = write_checkpoint(session, vault)
        except CheckpointRefused as refused:
            _refused_at[id(app)] = utcnow()
            log.warning("ledger checkpoint refused: %s", refused)
            return f"ledger_checkpoint=refused: {refused}"
        if before is not None and row.id == before.id:
            return None  # an open transaction older than the margin holds the moment back (see _as_of)
        return f"ledger_checkpoint={row.created_at.isoformat()} chains={row.chains} entries={row.entries}"


_refused_at: dict[int, datetime] = {}


def verify(session: Session, vault: Vault, kept: Kept | None = None) -> list[Break]:
    """The chains against the latest checkpoint in the database and, when given, a kept copy of one."""
    problems, checks = [], []
    newest = latest(session)
    if newest is not None:
        row = Kept.of(newest)
        checks.append((row, f"数据库中最新的检查点（{row.created_at.isoformat()}）"))
    if kept is not None:
        label = f"检查点文件（{kept.created_at.isoformat()}）"
        stored = session.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.created_at == kept.created_at)).all()
        if not stored:
            problems.append(_broken(f"{label}在数据库中没有对应的检查点（已被删除？）"))
        elif not any(Kept.of(s).same(kept) for s in stored):
            problems.append(_broken(f"数据库中的检查点与文件不符：{label}"))
        checks.append((kept, label))
    usable = []
    for checkpoint, label in checks:
        if checkpoint.key_id != vault.key_id:
            problems.append(_broken(f"{label}的密钥标识 {checkpoint.key_id} 不是当前数据密钥（{vault.key_id}），无法核对"))
        else:
            usable.append((checkpoint, label))
    if usable:
        tallies = _tally(session, vault, [c.created_at for c, _ in usable])
        for (checkpoint, label), tally in zip(usable, tallies, strict=True):
            if not tally.matches(checkpoint):
                problems.append(_broken(
                    f"救助链与{label}不符：该时刻各链的末条记录有被删除、替换或补入的（现为 {tally.chains} 条链、"
                    f"{tally.entries} 条记录，检查点为 {checkpoint.chains} 条链、{checkpoint.entries} 条记录），"
                    "或检查点不是用本平台的密钥生成的"))
    return problems


def _broken(problem: str) -> Break:
    return Break(None, None, None, problem)


class _Tally:
    def __init__(self, vault: Vault, as_of: datetime):
        self.as_of, self.chains, self.entries = as_of, 0, 0
        self.mac = vault.checkpoint_mac(f"v1\n{as_of.isoformat()}\n".encode())

    def add(self, household_id: int, seq: int, entry_hash: str) -> None:
        self.chains, self.entries = self.chains + 1, self.entries + seq
        self.mac.update(f"{household_id} {seq} {entry_hash}\n".encode())

    @property
    def digest(self) -> str:
        mac = self.mac.copy()
        mac.update(f"end {self.chains} {self.entries}\n".encode())
        return mac.hexdigest()

    def matches(self, checkpoint: Kept) -> bool:
        return (self.chains, self.entries) == (checkpoint.chains, checkpoint.entries) and hmac.compare_digest(
            self.digest, checkpoint.digest)


def _tally(session: Session, vault: Vault, moments: list[datetime]) -> list[_Tally]:
    """Each moment's digest, in one ordered pass over the entries up to the latest moment."""
    tallies = [_Tally(vault, moment) for moment in moments]
    rows = session.execute(
        select(LedgerEntry.household_id, LedgerEntry.seq, LedgerEntry.entry_hash, LedgerEntry.created_at)
        .where(LedgerEntry.created_at <= max(moments))
        .order_by(LedgerEntry.household_id, LedgerEntry.seq).execution_options(yield_per=_BATCH))
    for household_id, chain in groupby(rows, key=lambda row: row.household_id):
        newest = [None] * len(tallies)
        for row in chain:
            for n, tally in enumerate(tallies):
                if row.created_at <= tally.as_of:
                    newest[n] = row
        for tally, row in zip(tallies, newest, strict=True):
            if row is not None:
                tally.add(household_id, row.seq, row.entry_hash)
    return tallies


def _as_of(session: Session, now: datetime) -> datetime:
    moment = now - MARGIN
    if session.get_bind().dialect.name == "postgresql":
        oldest = session.scalar(text(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"))
        if oldest is not None:
            moment = min(moment, oldest - MARGIN)
    return moment.astimezone(UTC)
