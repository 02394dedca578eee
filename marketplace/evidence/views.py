"""Evidence files over HTTP: served (only through evidence/access.py), uploaded, removed, hidden.

A file is answered with headers that keep it private and inert: no-store (no shared or browser cache keeps
a household's receipt), nosniff and a sandboxing CSP (a PDF or a crafted image cannot run script in the
site's origin), and a neutral file name (the upload's own name is never kept)."""

import logging

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..auth.policy import permission
from ..claims import service as claims
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm, ReasonForm
from ..i18n import _, ngettext
from ..needs.models import Need
from ..pledges import service as pledges
from ..web import render, wants_fragment
from . import access, service
from .models import EvidenceFile
from .roles import ROLES, ROLES_BY_FORM
from .storage import Missing, storage

bp = Blueprint("evidence", __name__)
bp.add_app_template_global(ROLES, "EVIDENCE_ROLES")  # role labels for _files.html wherever it is included
log = logging.getLogger(__name__)

FRAGMENT = "evidence/_files.html"
TRIGGER = "evidence-files-changed"
_SUFFIX = {"application/pdf": "pdf", "image/jpeg": "jpg"}


def _send(what: str, file_id: int) -> Response:
    session = db()
    row, need = access.viewable(session, current_user, file_id)
    key, content_type = (row.sha256, row.content_type) if what == "file" else (row.thumb_sha256, "image/jpeg")
    try:
        data = storage().get(key)
    except Missing:
        # A row whose bytes are gone (a restore without the storage, a sweep race): no 500, and no identity
        # in the log line (the id and the key name no one).
        log.error("evidence file %s: %s not in storage", file_id, what)
        abort(404)
    except Exception:  # object storage unreachable: the page says to try later, not a 500
        log.exception("evidence file %s: storage unavailable (%s)", file_id, storage().describe())
        abort(503)
    access.record_view(session, current_user, need, what)
    suffix = _SUFFIX.get(content_type, "bin")
    name = f"evidence-{row.id}.{suffix}" if what == "file" else f"evidence-{row.id}-thumb.jpg"
    return Response(data, 200, {
        "Content-Type": content_type,
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "no-store, private",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })


@bp.get("/evidence-files/<int:file_id>")
@permission("evidence.file")
def file(file_id: int):
    return _send("file", file_id)


@bp.get("/evidence-files/<int:file_id>/thumb")
@permission("evidence.file")
def thumb(file_id: int):
    return _send("thumb", file_id)


def fragment_context(session, actor, *, claim=None, pledge=None, staff: bool = False) -> dict:
    """What templates/evidence/_files.html needs, for the evidence pages that include it (H3's) and for
    the answers below. `staff`: the verifier's view (hidden files as placeholders, a hide button)."""
    need = session.get(Need, (claim or pledge).need_id)
    if staff:
        files = service.review_files(session, claim=claim, pledge=pledge)
        upload_url = None
    else:
        files = service.live_files(session, claim_id=getattr(claim, "id", None),
                                   pledge_id=getattr(pledge, "id", None))
        open_ = (claim.status == "started") if claim is not None else (pledge.status == "pledged")
        upload_url = None if not open_ else (
            url_for("evidence.upload_claim", claim_id=claim.id) if claim is not None
            else url_for("evidence.upload_pledge", pledge_id=pledge.id))
    return {"files": files, "upload_url": upload_url, "can_remove": upload_url is not None,
            "can_hide": staff, "roles": ROLES_BY_FORM.get(need.form, ()), "evidence_form": EmptyForm(),
            "hide_form": ReasonForm() if staff else None,
            "missing": service.missing_roles(session, need, claim=claim, pledge=pledge)}


def _upload(*, claim=None, pledge=None, back: str):
    session = db()
    files = [f for f in request.files.getlist("files") if f and f.filename]
    status, message, staged = 200, None, []
    try:
        # All or nothing: stage_many checks every file before it stores any (the CSRF token was checked
        # by CSRFProtect before the view).
        staged = service.stage_many(session, current_user, claim=claim, pledge=pledge,
                                    role=request.form.get("role", ""),
                                    uploads=[(f.filename, f.stream) for f in files])
    except Invalid as error:
        status, message = 422, error.message
    if not wants_fragment():
        flash(message or _uploaded(len(staged)), "error" if message else "success")
        return redirect(back, code=303)
    context = fragment_context(session, current_user, claim=claim, pledge=pledge)
    return render(FRAGMENT, status=status, trigger=None if message else TRIGGER, message=message,
                  notice=None if message else _uploaded(len(staged)), **context)


def _uploaded(count: int) -> str:
    return ngettext("已上传 %(num)s 个文件。", "已上传 %(num)s 个文件。", count)


@bp.post("/my/claims/<int:claim_id>/evidence/files")
@permission("fulfil.claim")
def upload_claim(claim_id: int):
    claim = claims.own_claim(db(), current_user, claim_id)
    return _upload(claim=claim, back=url_for("fulfilment.evidence", claim_id=claim.id))


@bp.post("/my/pledges/<int:pledge_id>/evidence/files")
@permission("fulfil.pledge")
def upload_pledge(pledge_id: int):
    row = pledges.own_pledge(db(), current_user, pledge_id)
    return _upload(pledge=row, back=url_for("pledges.evidence", pledge_id=row.id))


def _file_or_404(file_id: int) -> EvidenceFile:
    row = db().get(EvidenceFile, file_id)
    if row is None:
        abort(404)
    return row


def _owner_of(row: EvidenceFile):
    session = db()
    if row.claim_id is not None:
        from ..claims.models import Claim

        return {"claim": session.get(Claim, row.claim_id)}
    from ..pledges.models import Pledge

    return {"pledge": session.get(Pledge, row.pledge_id)}


@bp.post("/my/evidence-files/<int:file_id>/remove")
@permission("fulfil.claim")
def remove(file_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db()
    row = _file_or_404(file_id)
    service.remove(session, current_user, row)
    owner = _owner_of(row)
    if not wants_fragment():
        flash(_("文件已删除。"), "success")
        back = (url_for("fulfilment.evidence", claim_id=row.claim_id) if row.claim_id is not None
                else url_for("pledges.evidence", pledge_id=row.pledge_id))
        return redirect(back, code=303)
    return render(FRAGMENT, trigger=TRIGGER, notice=_("文件已删除。"),
                  **fragment_context(session, current_user, **owner))


@bp.post("/staff/evidence-files/<int:file_id>/hide")
@permission("evidence.verify")
def hide(file_id: int):
    session = db()
    row = _file_or_404(file_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("隐藏文件须填写原因（2至500字）。"), "reason")
    service.hide(session, current_user, row, form.reason.data)
    if not wants_fragment():
        flash(_("文件已隐藏，将从存储中清除。"), "success")
        return redirect(request.referrer if _same_site(request.referrer) else url_for("fulfilment.queue"), code=303)
    return render(FRAGMENT, trigger=TRIGGER, notice=_("文件已隐藏。"),
                  **fragment_context(session, current_user, staff=True, **_owner_of(row)))


def _same_site(url: str | None) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return bool(url) and parts.netloc == request.host and parts.path.startswith("/")
