"""Who may see an evidence file: the one decision, for the file views and the templates alike.

- staff whose region subtree holds the need (reading needs no duty, as for the registry);
- members of the organisation that submitted it;
- the volunteer who uploaded it, when no organisation did.

Nobody sees the bytes of a removed, hidden or purged file (staff see a placeholder with the reason in the
evidence grid). Everyone else, anonymous visitors included, gets the 404 a file that does not exist gets,
so an id cannot be probed, and the attempt is an access.denied row in the 安全日志."""

from flask import request
from sqlmodel import Session

from ..auth.access import in_scope
from ..db import keep_even_on_rollback
from ..errors import NotFound
from ..i18n import _
from ..needs.models import Need
from ..registry.models import AccessLog
from .models import EvidenceFile

ACTIONS = {"file": "evidence_file", "thumb": "evidence_thumb"}


def may_see(actor, row: EvidenceFile, need: Need) -> bool:
    """Scope only; whether the file is still there is `viewable`'s question."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.role == "staff":
        return in_scope(actor, need.region_code)
    if row.organization_id is not None:
        return actor.role == "charity" and actor.organization_id == row.organization_id
    return actor.id == row.uploaded_by_id


def gone(row: EvidenceFile) -> bool:
    return bool(row.removed_at or row.hidden_at or row.purged_at or row.blob_deleted_at)


def deny(session: Session, *, file_id: int, why: str, region_code: str | None = None) -> NotFound:
    """The answer to anyone who may not have the file: written to the security log (kept on rollback)."""
    from ..security import events

    events.record(session, "access.denied", outcome="denied", region_code=region_code, endpoint=request.endpoint,
                  method=request.method, permission="evidence.file", file_id=file_id, why=why)
    return NotFound(_("文件不存在。"))


def viewable(session: Session, actor, file_id: int) -> tuple[EvidenceFile, Need]:
    """The file (and its need) if `actor` may have its bytes now; else NotFound, logged."""
    row = session.get(EvidenceFile, file_id)
    if row is None:
        raise deny(session, file_id=file_id, why="missing")
    need = session.get(Need, row.need_id)
    if not may_see(actor, row, need):
        raise deny(session, file_id=file_id, why="scope", region_code=need.region_code)
    if gone(row):
        raise deny(session, file_id=file_id, why="gone", region_code=need.region_code)
    return row, need


def record_view(session: Session, actor, need: Need, what: str) -> None:
    """One access-log row per file or thumbnail served (the household's private data was shown)."""
    keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=need.household_id,
                                             action=ACTIONS[what], path=request.path[:255]))
