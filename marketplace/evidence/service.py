"""Evidence files: staged while the fulfiler prepares the evidence, attached when it is submitted, hidden by
a verifier with a reason, swept from storage when nothing live needs them.

The original file name is never stored or logged (a phone names a photo after nothing, but a scanned
receipt is often named after the person); it appears only in the error message the uploader reads."""

import logging
import re
from collections.abc import Iterable
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlmodel import Session

from ..auth.access import require_staff_for
from ..errors import Conflict, Invalid, NotFound
from ..i18n import _
from ..modelbase import utcnow
from ..needs.models import Need
from ..privacy.pii_scan import scan_for_household
from . import processing
from .models import EvidenceFile
from .roles import REQUIRED_BY_FORM, ROLES, ROLES_BY_FORM
from .storage import storage

log = logging.getLogger(__name__)

# Conditions of a file that still counts: staged or attached, not removed, hidden or purged.
LIVE = (EvidenceFile.removed_at.is_(None), EvidenceFile.hidden_at.is_(None), EvidenceFile.purged_at.is_(None))
SWEEP_BATCH = 500
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _config(name: str):
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config[name]
    from ..config import load_config

    return load_config()[name]


def shown_name(filename: str | None) -> str:
    """The upload's name as the uploader's own error message shows it: last path part, printable, short."""
    name = _UNPRINTABLE.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return (name[:40] + "…" if len(name) > 40 else name) or _("未命名文件")


def _subject(session: Session, actor, claim, pledge) -> tuple[Need, int | None]:
    """The need the evidence is for and the submitting organisation, once the actor may add to it."""
    if (claim is None) == (pledge is None):
        raise ValueError("evidence files belong to a claim or to a pledge")
    if claim is not None:
        from ..claims.service import check_owner

        check_owner(actor, claim)
        if claim.status != "started":
            raise Conflict(_("只有已开始帮扶、尚未提交凭证的认领才能上传凭证文件。"))
        return session.get(Need, claim.need_id), claim.organization_id
    from ..pledges.service import check_owner as check_pledge

    check_pledge(actor, pledge)
    if pledge.status != "pledged":
        raise Conflict(_("只有尚未提交凭证的认捐才能上传凭证文件。"))
    return session.get(Need, pledge.need_id), pledge.organization_id


def _owned_by(claim, pledge):
    return EvidenceFile.claim_id == claim.id if claim is not None else EvidenceFile.pledge_id == pledge.id


def _read(data: bytes | BinaryIO, limit: int) -> bytes | None:
    """The bytes, or None when there are more than `limit` (a stream is read no further than that)."""
    if isinstance(data, bytes | bytearray):
        return bytes(data) if len(data) <= limit else None
    chunk = data.read(limit + 1)
    return chunk if len(chunk) <= limit else None


def stage_many(session: Session, actor, *, claim=None, pledge=None, role: str,
               uploads: Iterable[tuple[str, bytes | BinaryIO]], store=None) -> list[EvidenceFile]:
    """Every upload checked and cleaned first, then all stored, so one bad file stages none. Messages name
    the file by its place and name ("第2个文件「…」…"), field "files"."""
    need, organization_id = _subject(session, actor, claim, pledge)
    if role not in ROLES_BY_FORM.get(need.form, ()):
        offered = _("、").join(_(ROLES[r]) for r in ROLES_BY_FORM.get(need.form, ()))
        raise Invalid(_("请选择文件类型（%(roles)s）。", roles=offered), "role")
    uploads = list(uploads)
    if not uploads:
        raise Invalid(_("请选择要上传的照片或 PDF 收据。"), "files")
    max_files, max_mb = _config("EVIDENCE_MAX_FILES"), _config("EVIDENCE_MAX_MB")
    live = len(live_files(session, claim_id=getattr(claim, "id", None), pledge_id=getattr(pledge, "id", None)))
    if live + len(uploads) > max_files:
        raise Invalid(_("每份凭证最多 %(max)s 个文件：已有 %(live)s 个，本次选择了 %(chosen)s 个。", max=max_files, live=live,
                        chosen=len(uploads)), "files")
    ready = []
    for number, (filename, data) in enumerate(uploads, start=1):
        where = _("第%(number)s个文件「%(name)s」", number=number, name=shown_name(filename))
        raw = _read(data, max_mb * 1024 * 1024)
        if raw is None:
            raise Invalid(_("%(file)s超过 %(mb)s MB，请压缩或分页后再上传。", file=where, mb=max_mb), "files")
        try:
            ready.append(processing.process(raw, max_side=_config("EVIDENCE_MAX_SIDE"),
                                            thumb_side=_config("EVIDENCE_THUMB_SIDE"),
                                            max_pages=_config("EVIDENCE_PDF_MAX_PAGES")))
        except Invalid as error:
            raise Invalid(_("%(file)s：%(problem)s", file=where, problem=error.message), "files") from None
        del raw
    store = store or storage()
    rows = []
    for done in ready:
        store.put(done.sha256, done.data, done.content_type)
        store.put(done.thumb_sha256, done.thumb, "image/jpeg")
        row = EvidenceFile(need_id=need.id, claim_id=getattr(claim, "id", None), pledge_id=getattr(pledge, "id", None),
                           organization_id=organization_id, uploaded_by_id=actor.id, role=role, kind=done.kind,
                           content_type=done.content_type, sha256=done.sha256, thumb_sha256=done.thumb_sha256,
                           size=len(done.data), width=done.width, height=done.height, pages=done.pages)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def stage(session: Session, actor, *, claim=None, pledge=None, role: str, filename: str, data: bytes,
          store=None) -> EvidenceFile:
    return stage_many(session, actor, claim=claim, pledge=pledge, role=role, uploads=[(filename, data)],
                      store=store)[0]


def live_files(session: Session, *, claim_id=None, pledge_id=None, fulfilment_id=None) -> list[EvidenceFile]:
    owners = [column == value for column, value in ((EvidenceFile.claim_id, claim_id),
                                                     (EvidenceFile.pledge_id, pledge_id),
                                                     (EvidenceFile.fulfilment_id, fulfilment_id)) if value is not None]
    if not owners:
        return []
    return list(session.scalars(select(EvidenceFile).where(*owners, *LIVE).order_by(EvidenceFile.id)))


def missing_roles(session: Session, need, *, claim=None, pledge=None) -> list[str]:
    """Roles (evidence/roles.py) the need's form requires that have no live file yet."""
    files = live_files(session, claim_id=getattr(claim, "id", None), pledge_id=getattr(pledge, "id", None))
    present = {f.role for f in files}
    return [role for role in REQUIRED_BY_FORM.get(need.form, ()) if role not in present]


def attach(session: Session, *, claim=None, pledge=None, fulfilment=None) -> int:
    """The evidence was submitted: its staged files become part of it. Returns how many."""
    files = [f for f in live_files(session, claim_id=getattr(claim, "id", None), pledge_id=getattr(pledge, "id", None))
             if f.attached_at is None]
    now = utcnow()
    for row in files:
        row.attached_at = now
        row.fulfilment_id = getattr(fulfilment, "id", None)
    session.flush()
    return len(files)


def may_remove(actor, row: EvidenceFile) -> bool:
    """The uploader's organisation, or the volunteer on their own; only while the evidence is being prepared."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if row.organization_id is not None:
        return actor.role == "charity" and actor.organization_id == row.organization_id
    return actor.id == row.uploaded_by_id


def remove(session: Session, actor, row: EvidenceFile) -> EvidenceFile:
    if not may_remove(actor, row) or row.removed_at or row.hidden_at or row.purged_at:
        raise NotFound(_("文件不存在。"))
    if row.attached_at is not None:
        raise Conflict(_("凭证已提交，文件不能再删除；如文件有误，请联系核验人员。"))
    row.removed_at = utcnow()
    session.flush()
    return row


def hide(session: Session, actor, row: EvidenceFile, reason: str) -> EvidenceFile:
    """A verifier takes a file out of sight (a face shown without consent, an ID card in the picture)."""
    need = session.get(Need, row.need_id)
    require_staff_for(actor, need.region_code, duty="verification")
    if row.removed_at or row.purged_at:
        raise NotFound(_("文件不存在。"))
    if row.hidden_at:
        raise Conflict(_("该文件已隐藏。"))
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise Invalid(_("隐藏文件须填写原因（2至500字）。"), "reason")
    scan_for_household(session, need.household_id, {"reason": reason}, labels={"reason": _("隐藏原因")})
    row.hidden_at, row.hidden_by_id, row.hidden_reason = utcnow(), actor.id, reason
    session.flush()
    return row


def review_files(session: Session, *, claim=None, pledge=None) -> list[EvidenceFile]:
    """What a verifier sees: every file not removed or purged, hidden ones included (shown as a placeholder)."""
    if (claim is None) == (pledge is None):
        return []
    return list(session.scalars(select(EvidenceFile).where(
        _owned_by(claim, pledge), EvidenceFile.removed_at.is_(None), EvidenceFile.purged_at.is_(None))
        .order_by(EvidenceFile.id)))


def sweep(session: Session, store=None) -> int:
    """Bytes of removed, hidden and purged files leave storage once no live file has the same content.
    A storage error leaves the row for the next round. Returns the rows whose bytes are gone."""
    dead = list(session.scalars(select(EvidenceFile).where(
        EvidenceFile.blob_deleted_at.is_(None),
        or_(EvidenceFile.removed_at.is_not(None), EvidenceFile.hidden_at.is_not(None),
            EvidenceFile.purged_at.is_not(None))).order_by(EvidenceFile.id).limit(SWEEP_BATCH)))
    if not dead:
        return 0
    keys = {key for row in dead for key in (row.sha256, row.thumb_sha256)}
    kept = set()
    for column in (EvidenceFile.sha256, EvidenceFile.thumb_sha256):
        kept |= set(session.scalars(select(column).where(column.in_(keys), *LIVE)))
    store = store or storage()
    failed, now, swept = set(), utcnow(), 0
    for key in sorted(keys - kept):
        try:
            store.delete(key)
        except Exception:  # object storage unreachable: try again next round
            log.exception("evidence sweep: could not delete a blob; retrying next round")
            failed.add(key)
    for row in dead:
        if not {row.sha256, row.thumb_sha256} & failed:
            row.blob_deleted_at = now
            swept += 1
    session.flush()
    return swept
