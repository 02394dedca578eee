"""Helpers of the evidence-file tests: an app on a given storage, a started claim, uploads as a browser
sends them."""

import io
import re

from sqlalchemy import select

from marketplace import create_app
from support import csrf_from, login


def app_on(storage_url: str, database_url: str, instance_path, tmp_path):
    """The test app (tests/conftest.py `app`) with its evidence in `storage_url`."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path),
                       "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "MAIL_SUPPRESS_SEND": True,
                       "STAFF_2FA": "optional", "PUBLIC_PAGE_CACHE_SECONDS": 0, "STORAGE_URL": storage_url})


def started_claim(world, form: str = "money"):
    """A need in progress and its claim (the World's charity; a volunteer for a service need)."""
    from marketplace.claims.models import Claim

    need = world.need("in_progress", form=form)
    with world.tx() as s:
        return need, s.scalars(select(Claim).where(Claim.need_id == need.id)).one()


def signed_in(app, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
        client.get("/")  # shows (and so clears) the welcome message
    return client


def upload(client, claim_id: int, files: list[tuple[str, bytes]], *, role: str = "receipt", htmx: bool = False,
           url: str | None = None):
    token = csrf_from(client.get("/"))
    data = {"csrf_token": token, "role": role, "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(url or f"/my/claims/{claim_id}/evidence/files", data=data, content_type="multipart/form-data",
                       headers={"HX-Request": "true"} if htmx else {})


def files_of(tx, **where):
    from marketplace.evidence.models import EvidenceFile

    with tx() as s:
        query = select(EvidenceFile).order_by(EvidenceFile.id)
        for name, value in where.items():
            query = query.where(getattr(EvidenceFile, name) == value)
        return list(s.scalars(query))


def without_token(body: str) -> str:
    """A page's text without its per-request CSRF token, to compare two answers."""
    # The token is signed with the second it was made: two answers a second apart differ only there (the
    # header's meta tag, and the hidden field of each form: sign-out, the language switch).
    return re.sub(r'name="csrf_token" value="[^"]+"', "", re.sub(r'name="csrf-token" content="[^"]+"', "", body))
