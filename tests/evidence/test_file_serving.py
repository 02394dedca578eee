"""Serving evidence files on both storages: staff of the need's region and the submitting organisation (or
volunteer) get the bytes with private, inert headers and an access-log row; everyone else gets the very 404
a missing file gets, and a row in the security log. A hidden file is gone for all and leaves storage with
the worker's next housekeeping."""

import pytest
from evidence_samples import jpeg, pdf
from file_support import app_on, files_of, signed_in, started_claim, upload, without_token
from sqlalchemy import select

from marketplace.auth.service import create_user
from marketplace.evidence.storage import storage
from marketplace.organizations.models import Organization
from marketplace.registry.models import AccessLog
from marketplace.security.models import SecurityEvent
from marketplace.worker import run_housekeeping
from support import PASSWORD, csrf_from

MISSING = 999999


@pytest.fixture
def files_app(storage_url, database_url, instance_path, tmp_path, engine):
    app = app_on(storage_url, database_url, instance_path, tmp_path)
    yield app
    app.extensions["marketplace.engine"].dispose()


@pytest.fixture
def submitted(files_app, world, tx):
    """A money need whose evidence (with its receipt photo, staged by World) was submitted by the charity."""
    world.evidence_store = storage(files_app)
    need = world.need("submitted")
    (row,) = files_of(tx, need_id=need.id)
    assert row.attached_at is not None and row.fulfilment_id is not None
    return need, row


def _other_org_member(tx) -> str:
    with tx() as s:
        org = Organization(name="蒙城县爱心社", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org)
        s.flush()
        create_user(s, email="member@mengcheng.org.cn", password=PASSWORD, display_name="蒙城成员", role="charity",
                    organization_id=org.id)
    return "member@mengcheng.org.cn"


def _denials(tx, path: str) -> list[SecurityEvent]:
    with tx() as s:
        return list(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "access.denied",
                                                          SecurityEvent.path == path)))


def test_who_may_see_a_submitted_file(files_app, world, tx, submitted):
    need, row = submitted
    stored = storage(files_app).get(row.sha256)
    for email in ("verifier@guoyang.gov.cn", "chudian@guoyang.gov.cn", "city@bozhou.gov.cn",
                  "member@charity.org.cn", "member2@charity.org.cn"):
        client = signed_in(files_app, email)
        response = client.get(f"/evidence-files/{row.id}")
        assert response.status_code == 200, email
        assert response.get_data() == stored
        thumb = client.get(f"/evidence-files/{row.id}/thumb")
        assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
        assert thumb.get_data() == storage(files_app).get(row.thumb_sha256)
    with tx() as s:
        logged = s.execute(select(AccessLog.user_id, AccessLog.household_id, AccessLog.action, AccessLog.path)
                           .order_by(AccessLog.id)).all()
    assert (world.verifier, need.household_id, "evidence_file", f"/evidence-files/{row.id}") in logged
    assert (world.charity, need.household_id, "evidence_thumb", f"/evidence-files/{row.id}/thumb") in logged
    assert len(logged) == 10
    assert _denials(tx, f"/evidence-files/{row.id}") == []


def test_everyone_else_gets_the_404_of_a_missing_file_and_is_logged(files_app, world, tx, submitted):
    _, row = submitted
    others = [None, "helper@volunteer.cn", "staff@mengcheng.gov.cn", "member@pending.org.cn", _other_org_member(tx)]
    for email in others:
        client = signed_in(files_app, email)
        for path in (f"/evidence-files/{row.id}", f"/evidence-files/{row.id}/thumb"):
            response = client.get(path)
            missing = client.get(path.replace(str(row.id), str(MISSING)))
            assert (response.status_code, missing.status_code) == (404, 404), (email, path)
            assert without_token(response.get_data(as_text=True)) == without_token(missing.get_data(as_text=True))
            assert response.headers.get("Location") is None
            assert storage(files_app).get(row.sha256) not in response.get_data()
    denied = _denials(tx, f"/evidence-files/{row.id}")
    assert len(denied) == len(others)
    assert {d.actor_id for d in denied} >= {None, world.other_county, world.volunteer}
    assert all(d.outcome == "denied" and d.detail["file_id"] == row.id for d in denied)
    assert len(_denials(tx, f"/evidence-files/{MISSING}")) == len(others)
    with tx() as s:
        assert s.scalar(select(AccessLog.id)) is None


def test_a_volunteers_own_file_is_theirs_and_staffs(files_app, world, tx):
    _, claim = started_claim(world, form="service")
    volunteer = signed_in(files_app, "helper@volunteer.cn")
    assert upload(volunteer, claim.id, [("服务.jpg", jpeg(600, 400))], role="photo").status_code == 303
    (row,) = files_of(tx, claim_id=claim.id)
    assert row.organization_id is None
    assert volunteer.get(f"/evidence-files/{row.id}").status_code == 200
    assert signed_in(files_app, "verifier@guoyang.gov.cn").get(f"/evidence-files/{row.id}").status_code == 200
    assert signed_in(files_app, "member@charity.org.cn").get(f"/evidence-files/{row.id}").status_code == 404


def test_files_are_served_private_and_inert(files_app, world, tx):
    _, claim = started_claim(world)
    client = signed_in(files_app, "member@charity.org.cn")
    assert upload(client, claim.id, [("p.jpg", jpeg(640, 480)), ("r.pdf", pdf(2))]).status_code == 303
    photo, receipt = files_of(tx, claim_id=claim.id)
    for row, mimetype, suffix in ((photo, "image/jpeg", "jpg"), (receipt, "application/pdf", "pdf")):
        response = client.get(f"/evidence-files/{row.id}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "no-store, private"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response.headers["Content-Disposition"] == f'inline; filename="evidence-{row.id}.{suffix}"'
        assert "Set-Cookie" not in response.headers or "Max-Age=0" not in response.headers["Set-Cookie"]
    assert receipt.pages == 2


def test_a_missing_blob_is_a_404_not_a_500(files_app, world, tx, submitted, caplog):
    _, row = submitted
    storage(files_app).delete(row.sha256)
    response = signed_in(files_app, "verifier@guoyang.gov.cn").get(f"/evidence-files/{row.id}")
    assert response.status_code == 404
    assert any("not in storage" in r.getMessage() for r in caplog.records)
    assert all("verifier" not in r.getMessage() for r in caplog.records)


def test_a_hidden_file_is_gone_for_all_and_swept_from_storage(files_app, world, tx, submitted):
    need, row = submitted
    store = storage(files_app)
    # The same photo in another claim's evidence: its bytes must stay for that one.
    world.need("submitted")
    twin = [f for f in files_of(tx) if f.id != row.id][0]
    assert twin.sha256 == row.sha256
    # Hiding needs the verification duty and the region.
    world.staff("noduty@guoyang.gov.cn")
    client = signed_in(files_app, "noduty@guoyang.gov.cn")
    assert client.post(f"/staff/evidence-files/{row.id}/hide",
                       data={"csrf_token": csrf_from(client.get("/")), "reason": "拍到了身份证"}).status_code == 403
    client = signed_in(files_app, "staff@mengcheng.gov.cn")
    assert client.post(f"/staff/evidence-files/{row.id}/hide",
                       data={"csrf_token": csrf_from(client.get("/")), "reason": "拍到了身份证"}).status_code == 403
    verifier = signed_in(files_app, "verifier@guoyang.gov.cn")
    token = csrf_from(verifier.get("/"))
    assert verifier.post(f"/staff/evidence-files/{row.id}/hide",
                         data={"csrf_token": token, "reason": "x"}).status_code == 422
    response = verifier.post(f"/staff/evidence-files/{row.id}/hide", data={"csrf_token": token, "reason": "拍到了身份证"},
                             headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "已隐藏" in body and "拍到了身份证" in body and f"/evidence-files/{row.id}" not in body
    for email in ("verifier@guoyang.gov.cn", "member@charity.org.cn", "city@bozhou.gov.cn"):
        assert signed_in(files_app, email).get(f"/evidence-files/{row.id}").status_code == 404
    assert store.exists(row.sha256)
    run_housekeeping(files_app)
    hidden = files_of(tx, id=row.id)[0]
    assert hidden.hidden_by_id == world.verifier and hidden.blob_deleted_at is not None
    assert store.exists(row.sha256)  # the twin still needs these bytes
    assert verifier.get(f"/evidence-files/{twin.id}").status_code == 200
    # The twin hidden too: now the bytes go.
    assert verifier.post(f"/staff/evidence-files/{twin.id}/hide",
                         data={"csrf_token": token, "reason": "拍到了户口簿"}).status_code == 303
    run_housekeeping(files_app)
    assert not store.exists(row.sha256) and not store.exists(row.thumb_sha256)
    assert files_of(tx, id=twin.id)[0].blob_deleted_at is not None


def test_a_hide_reason_naming_the_household_is_refused(files_app, world, tx):
    household = world.household(name="王秀英")
    world.evidence_store = storage(files_app)
    need = world.need("submitted", household=household)
    (row,) = files_of(tx, need_id=need.id)
    verifier = signed_in(files_app, "verifier@guoyang.gov.cn")
    response = verifier.post(f"/staff/evidence-files/{row.id}/hide",
                             data={"csrf_token": csrf_from(verifier.get("/")), "reason": "照片拍到王秀英的脸"})
    assert response.status_code == 422
    assert files_of(tx, id=row.id)[0].hidden_at is None
