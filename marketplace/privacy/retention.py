"""Retention (PIPL art. 19: kept no longer than the purpose needs; art. 47: deleted when that time is up):
`marketplace purge [--dry-run]`, and the worker once a day.

What goes, each after its own period (config.py, MARKETPLACE_RETENTION_*_DAYS):
- identities of households that left the registry, counted from `left_at`: the identity columns become
  NULL and `identity_purged_at` is set. The household row stays (public code, 户编号, tier, region, size,
  flags), because its chain entries, needs and history point at it; no chain content is touched, so every
  entry keeps its hash and `verify-ledger` still holds;
- evidence: the free text of reviewed fulfilments (the summary becomes a fixed marker, the review reason
  NULL), counted from the review; the amounts and dates stay, and the chain entry remains the record of
  the aid. Evidence files (photos, receipts) of a claim's or a pledge's evidence go on the same clock:
  `purged_at` is set, and the worker's sweep (evidence/service.py) then deletes their bytes from storage;
- the name and phone a referrer gave with a family referred to civil affairs (双向转介), counted from the
  decision, on the identities' clock: the referral row stays (township, hardships, outcome) for the reports;
- contact disclosures (access-log rows of a contact or address shown to someone) and all other
  access-log rows, counted from when they were written.

Each batch is its own transaction over a range of primary keys, so a city's hundreds of thousands of
rows never sit in one long transaction or in memory, and a killed run loses at most one batch: every
statement repeats its conditions, so running again finishes the work. A dry run counts the same rows and
changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine

from ..db import transaction
from ..evidence.models import EvidenceFile
from ..fulfilment.models import Fulfilment
from ..i18n import N_
from ..modelbase import utcnow
from ..pledges.models import Pledge
from ..referrals.models import FamilyReferral
from ..registry.models import AccessLog, Household

# Access-log actions that disclosed a household's contact or address to someone (privacy/contact.py,
# volunteering/address.py). Kept for the disclosure period; other views of private data for the access-log one.
DISCLOSURES = ("view_contact", "view_address")
# Stored in place of the purged text (and matched by the purge): Chinese data, translated where shown.
EVIDENCE_PURGED = N_("（凭证说明已按保存期限清除）")
KINDS = {"identities": "户主身份信息", "evidence": "帮扶凭证说明", "evidence_files": "帮扶凭证照片与收据",
         "contact_disclosures": "联系方式与地址查看记录", "access_log": "其他访问日志",
         "referral_contacts": "转介家庭的姓名与电话"}
# Primary keys per batch: one batch of the access log at city scale deletes a few thousand rows.
BATCH = 5000
EVENT = "retention.purge"
INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class Periods:
    """Days each kind is kept (see config.py for the defaults and why)."""

    identity: int
    evidence: int
    disclosures: int
    access_log: int

    @classmethod
    def from_config(cls, config) -> "Periods":
        return cls(config["RETENTION_IDENTITY_DAYS"], config["RETENTION_EVIDENCE_DAYS"],
                   config["RETENTION_CONTACT_LOG_DAYS"], config["RETENTION_ACCESS_LOG_DAYS"])


def _targets(periods: Periods, now: datetime) -> dict:
    """Per kind: (table's primary key, the condition a row past its period meets, the change or None for
    a delete)."""
    def before(days: int) -> datetime:
        return now - timedelta(days=days)

    gone = {"head_name_enc": None, "id_number_enc": None, "id_hmac": None, "name_hmac": None, "phone_enc": None,
            "address_enc": None, "row_digest": None, "identity_purged_at": now}
    return {
        "identities": (Household.id, and_(Household.status != "active", Household.left_at < before(periods.identity),
                                          Household.identity_purged_at.is_(None)), gone),
        "evidence": (Fulfilment.id, and_(Fulfilment.reviewed_at < before(periods.evidence),
                                         Fulfilment.summary != EVIDENCE_PURGED),
                     {"summary": EVIDENCE_PURGED, "review_reason": None}),
        "evidence_files": (EvidenceFile.id, and_(EvidenceFile.purged_at.is_(None), or_(
            EvidenceFile.fulfilment_id.in_(select(Fulfilment.id).where(Fulfilment.reviewed_at < before(periods.evidence))),
            EvidenceFile.pledge_id.in_(select(Pledge.id).where(Pledge.reviewed_at < before(periods.evidence))),
            # Staged and never submitted (the claim was released or expired first): from the upload.
            and_(EvidenceFile.attached_at.is_(None), EvidenceFile.uploaded_at < before(periods.evidence)))),
            {"purged_at": now}),
        "contact_disclosures": (AccessLog.id, and_(AccessLog.action.in_(DISCLOSURES),
                                                   AccessLog.at < before(periods.disclosures)), None),
        "access_log": (AccessLog.id, and_(AccessLog.action.not_in(DISCLOSURES),
                                          AccessLog.at < before(periods.access_log)), None),
        "referral_contacts": (FamilyReferral.id, and_(FamilyReferral.decided_at < before(periods.identity),
                                                      or_(FamilyReferral.name_enc.is_not(None),
                                                          FamilyReferral.phone_enc.is_not(None))),
                              {"name_enc": None, "phone_enc": None}),
    }


def purge(engine: Engine, periods: Periods, *, now: datetime | None = None, dry_run: bool = False,
          batch: int = BATCH, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rows past their period per kind (removed, or only counted when `dry_run`). A real run is written to
    the security log as "retention.purge" with the counts; the worker reads its time."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for kind, (key, condition, change) in _targets(periods, now).items():
        table = key.class_
        with transaction(engine) as session:
            # One pass finds the span of rows past their period; the batches then walk it by primary key.
            low, high, due = session.execute(select(func.min(key), func.max(key), func.count()).where(condition)).one()
        counts[kind] = due if dry_run or not due else 0
        if dry_run or not due:
            continue
        for start in range(low, high + 1, batch):
            span = and_(key >= start, key < start + batch, condition)
            statement = delete(table).where(span) if change is None else update(table).where(span).values(**change)
            with transaction(engine) as session:
                counts[kind] += session.execute(statement.execution_options(synchronize_session=False)).rowcount
            if progress:
                progress(kind, counts[kind])
    if not dry_run:
        from ..security import events

        with transaction(engine) as session:
            events.record(session, EVENT, actor=None, region_code=None, rows=sum(counts.values()), **counts,
                          periods={"identity": periods.identity, "evidence": periods.evidence,
                                   "contact_disclosures": periods.disclosures, "access_log": periods.access_log})
    return counts


def last_purge(engine: Engine) -> datetime | None:
    from ..security.models import SecurityEvent

    with transaction(engine) as session:
        return session.scalar(select(func.max(SecurityEvent.at)).where(SecurityEvent.kind == EVENT))


def purge_if_due(app, now: datetime | None = None) -> dict[str, int] | None:
    """The worker's daily purge: when the last one (any node's) is over 24 hours old, or there was none.
    Two workers meeting the same moment both purge; each statement re-checks its rows, so nothing goes
    twice and the second finds little left."""
    from ..db import engine_of

    now = now or utcnow()
    engine = engine_of(app)
    last = last_purge(engine)
    if last is not None and now - last < INTERVAL:
        return None
    return purge(engine, Periods.from_config(app.config), now=now)


def summary(counts: dict[str, int], *, dry_run: bool) -> str:
    verb = "would_purge" if dry_run else "purged"
    return " ".join(f"{verb}.{kind}={counts.get(kind, 0)}" for kind in KINDS)
