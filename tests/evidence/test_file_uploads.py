"""Uploading evidence files: through the form (plain and htmx) onto both storages, all or nothing, within
the limits, photos stored without EXIF or GPS, and removed by the uploader before the evidence is sent."""

import io

import pytest
from evidence_samples import jpeg, pdf, pdf_with_javascript, png
from file_support import app_on, files_of, signed_in, started_claim, upload
from PIL import Image

from marketplace.errors import Conflict, Invalid
from marketplace.evidence import processing
from marketplace.evidence import service as evidence_files
from marketplace.evidence.storage import storage


@pytest.fixture
def files_app(storage_url, database_url, instance_path, tmp_path, engine):
    app = app_on(storage_url, database_url, instance_path, tmp_path)
    yield app
    app.extensions["marketplace.engine"].dispose()


def test_photos_and_a_receipt_uploaded_by_form_are_stored_without_exif(files_app, world, tx):
    _, claim = started_claim(world)
    client = signed_in(files_app, "member@charity.org.cn")
    photo = jpeg()  # 1600×1200 with GPS, a maker note and the phone's make
    response = upload(client, claim.id, [("IMG_0042.jpg", photo), ("收据.pdf", pdf())])
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/my/claims/{claim.id}/evidence")
    rows = files_of(tx, claim_id=claim.id)
    assert [(r.kind, r.role, r.organization_id, r.attached_at) for r in rows] == [
        ("image", "receipt", world.org_id, None), ("pdf", "receipt", world.org_id, None)]
    store = storage(files_app)
    stored = store.get(rows[0].sha256)
    assert b"Exif" not in stored and b"maker-note-serial" not in stored and b"iPhone" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert (image.width, image.height) == (1600, 1200)
    assert store.exists(rows[0].thumb_sha256) and store.exists(rows[1].sha256)
    assert b"13912345678" not in store.get(rows[1].sha256)  # the PDF's metadata (an author's phone) is gone
    # Served as stored: the verifier gets the cleaned photo, not the upload.
    verifier = signed_in(files_app, "verifier@guoyang.gov.cn")
    assert verifier.get(f"/evidence-files/{rows[0].id}").get_data() == stored
    # The original name is kept nowhere in the row.
    assert all("IMG_0042" not in str(value) for value in vars(rows[0]).values())


def test_an_htmx_upload_answers_the_fragment_with_the_thumbnails(files_app, world, tx):
    _, claim = started_claim(world)
    client = signed_in(files_app, "member@charity.org.cn")
    response = upload(client, claim.id, [("a.png", png()), ("b.jpg", jpeg(800, 600))], htmx=True)
    assert response.status_code == 200
    assert "evidence-files-changed" in response.headers["HX-Trigger"]
    body = response.get_data(as_text=True)
    ids = [r.id for r in files_of(tx, claim_id=claim.id)]
    assert len(ids) == 2
    for file_id in ids:
        assert f'src="/evidence-files/{file_id}/thumb"' in body and f'href="/evidence-files/{file_id}"' in body
    assert 'accept="image/*,application/pdf" multiple' in body and 'capture="environment"' in body
    assert "<progress" in body and "户口簿" in body and "身份证" in body
    assert 'alt="收据或转账凭证照片' in body


def test_one_bad_file_stages_none_and_the_message_names_it(files_app, world, tx):
    _, claim = started_claim(world)
    client = signed_in(files_app, "member@charity.org.cn")
    good = jpeg(900, 700, colour=(10, 200, 30))
    response = upload(client, claim.id, [("ok.jpg", good), ("发票.pdf", pdf_with_javascript())], htmx=True)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "第2个文件「发票.pdf」" in body and "JavaScript" in body
    assert files_of(tx, claim_id=claim.id) == []
    assert not storage(files_app).exists(processing.process(good).sha256)  # nothing stored either
    # Without JavaScript: back to the evidence page, the message flashed there.
    response = upload(client, claim.id, [("ok.jpg", good), ("notes.txt", b"not a photo")])
    assert response.status_code == 303
    assert files_of(tx, claim_id=claim.id) == []


def test_limits_size_count_and_role(app, client, world, tx):
    _, claim = started_claim(world)
    client = signed_in(app, "member@charity.org.cn")
    app.config.update(EVIDENCE_MAX_MB=1, EVIDENCE_MAX_FILES=2)
    big = b"\xff\xd8" + b"\0" * (1024 * 1024)
    response = upload(client, claim.id, [("small.jpg", jpeg(400, 300)), ("big.jpg", big)], htmx=True)
    assert response.status_code == 422
    assert "第2个文件「big.jpg」超过 1 MB" in response.get_data(as_text=True)
    assert upload(client, claim.id, [("a.jpg", jpeg(400, 300)), ("b.jpg", jpeg(401, 300))], htmx=True).status_code == 200
    response = upload(client, claim.id, [("c.jpg", jpeg(402, 300))], htmx=True)
    assert response.status_code == 422 and "最多 2 个文件" in response.get_data(as_text=True)
    response = upload(client, claim.id, [("d.jpg", jpeg(403, 300))], role="before", htmx=True)
    assert response.status_code == 422 and "请选择文件类型" in response.get_data(as_text=True)
    assert len(files_of(tx, claim_id=claim.id)) == 2
    response = upload(client, claim.id, [], htmx=True)
    assert response.status_code == 422 and "请选择要上传的照片" in response.get_data(as_text=True)


def test_only_the_claims_owner_uploads_and_only_while_it_is_started(app, world, tx):
    from marketplace.claims.models import Claim

    need, claim = started_claim(world)
    volunteer = signed_in(app, "helper@volunteer.cn")
    assert upload(volunteer, claim.id, [("a.jpg", jpeg(400, 300))]).status_code == 403
    pending = signed_in(app, "member@pending.org.cn")
    assert upload(pending, claim.id, [("a.jpg", jpeg(400, 300))]).status_code == 403
    with tx() as s:
        row = s.get(Claim, claim.id)
        row.status = "active"
        with pytest.raises(Conflict):
            evidence_files.stage(s, world.user(s, world.charity), claim=row, role="receipt", filename="a.jpg",
                                 data=jpeg(400, 300))
    assert files_of(tx) == []


def test_the_uploader_removes_a_file_before_submitting_not_after(app, world, tx):
    from marketplace.claims.models import Claim
    from marketplace.fulfilment.models import Fulfilment

    need, claim = started_claim(world)
    member = signed_in(app, "member2@charity.org.cn")  # another member of the same organisation
    assert upload(member, claim.id, [("a.jpg", jpeg(400, 300)), ("b.jpg", jpeg(500, 300))]).status_code == 303
    first, second = files_of(tx, claim_id=claim.id)
    other = signed_in(app, "helper@volunteer.cn")
    token_page = other.get("/")
    from support import csrf_from

    assert other.post(f"/my/evidence-files/{first.id}/remove",
                      data={"csrf_token": csrf_from(token_page)}).status_code == 404
    owner = signed_in(app, "member@charity.org.cn")
    response = owner.post(f"/my/evidence-files/{first.id}/remove", data={"csrf_token": csrf_from(owner.get("/"))},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200 and f"/evidence-files/{first.id}/thumb" not in response.get_data(as_text=True)
    with tx() as s:
        assert [f.id for f in evidence_files.live_files(s, claim_id=claim.id)] == [second.id]
        assert evidence_files.missing_roles(s, need, claim=s.get(Claim, claim.id)) == []
    assert owner.get(f"/evidence-files/{first.id}").status_code == 404
    # Submitted: the file is part of the evidence and stays.
    with tx() as s:
        row = s.get(Claim, claim.id)
        fulfilment = Fulfilment(need_id=need.id, claim_id=row.id, submitted_by_id=world.charity,
                                delivered_on=row.claimed_at.date(), summary="已转账")
        s.add(fulfilment)
        s.flush()
        assert evidence_files.attach(s, claim=row, fulfilment=fulfilment) == 1
        attached = evidence_files.live_files(s, fulfilment_id=fulfilment.id)
        assert [f.id for f in attached] == [second.id] and attached[0].attached_at is not None
    response = owner.post(f"/my/evidence-files/{second.id}/remove", data={"csrf_token": csrf_from(owner.get("/"))})
    assert response.status_code == 409
    assert files_of(tx, id=second.id)[0].removed_at is None


def test_missing_roles_follow_the_needs_form(world, tx):
    from marketplace.claims.models import Claim

    need, claim = started_claim(world, form="retrofit")
    with tx() as s:
        row = s.get(Claim, claim.id)
        assert evidence_files.missing_roles(s, need, claim=row) == ["before", "after"]
        evidence_files.stage(s, world.user(s, world.charity), claim=row, role="after", filename="x.jpg",
                             data=jpeg(400, 300))
        assert evidence_files.missing_roles(s, need, claim=row) == ["before"]
        with pytest.raises(Invalid) as refused:
            evidence_files.stage(s, world.user(s, world.charity), claim=row, role="receipt", filename="x.heic",
                                 data=b"")
        assert "第1个文件「x.heic」" in refused.value.message
