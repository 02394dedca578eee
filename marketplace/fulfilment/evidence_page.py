"""The evidence form page, shared by a claim's and a pledge's: the files section (the evidence blueprint's
templates/evidence/_files.html) and files posted with the form itself.

Files are normally staged through the evidence blueprint's own upload route (htmx with a progress bar, or a
plain multipart form that redirects back here without JavaScript), so they survive a validation error of
the evidence form. A client may also post `files` + `role` with the evidence form itself: those are staged
inside the submission, so they are kept only if the submission succeeds; a refused one keeps nothing and
the page says to choose them again (a browser empties file inputs on every page load anyway)."""

from flask import request
from flask_login import current_user

from ..errors import Invalid
from ..evidence import service as evidence_files
from ..evidence.roles import REQUIRED_BY_FORM
from ..evidence.views import fragment_context


def context(session, need, *, claim=None, pledge=None, staff: bool = False) -> dict:
    """What the files fragment needs (evidence.views.fragment_context), plus the roles the form requires."""
    return {**fragment_context(session, current_user, claim=claim, pledge=pledge, staff=staff),
            "required_roles": REQUIRED_BY_FORM.get(need.form, ())}


def posted_files() -> list:
    """The files the evidence form's own POST carries (`files`, all of the kind `role`)."""
    return [u for u in request.files.getlist("files") if u and u.filename]


def stage_posted(session, actor, *, claim=None, pledge=None) -> int:
    """Stage the files posted with the evidence form; how many."""
    uploads = posted_files()
    if uploads:
        evidence_files.stage_many(session, actor, claim=claim, pledge=pledge, role=request.form.get("role", ""),
                                  uploads=[(u.filename, u.stream) for u in uploads])
    return len(uploads)


def show(form, error: Invalid, file_errors: list[str]) -> None:
    """A refusal next to the field it is about, file problems above the files, anything else by the summary."""
    if error.field in ("files", "role"):
        file_errors.append(error.message)
        return
    target = getattr(form, error.field or "", None)
    target = target if target is not None and hasattr(target, "errors") else form.summary
    target.errors = list(target.errors) + [error.message]
