"""Issue 14's "done when", tried as people would: a charity member on a phone-sized browser uploads a photo
with GPS EXIF and a PDF receipt with JavaScript (refused), enters the household's code from the delivery
slip and submits; the stored file carries no EXIF; the verifier sees the photo beside the need and approves;
the chain says the household confirmed; a visitor who guesses the file's URL gets 404, and the guess is in
the security log."""

import io
import re

import pytest
from evidence_samples import jpeg, pdf_with_javascript
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select
from steps import log_in


@pytest.mark.e2e
def test_phone_evidence_is_cleaned_confirmed_verified_and_kept_from_visitors(new_user, console_errors, world,
                                                                            tmp_path, app, live_server):
    from marketplace.claims.models import Claim
    from marketplace.evidence.models import EvidenceFile
    from marketplace.evidence.storage import storage
    from marketplace.security.models import SecurityEvent

    need = world.need("in_progress", form="money", title="高二学生学费缺口")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()

    # The poster prints the household's copy of the slip; the village hands the code to the charity.
    poster = new_user()
    log_in(poster, "poster@guoyang.gov.cn")
    poster.goto(f"/needs/{need.id}")
    poster.get_by_role("link", name="送达确认与回访").click()
    poster.get_by_role("link", name="打印受助方联（含确认码）").click()
    code = poster.locator(".code strong").inner_text().strip()
    assert re.fullmatch(r"[0-9]{6}", code)

    # The charity member, on a 375 px phone.
    phone = new_user()
    phone.set_viewport_size({"width": 375, "height": 740})
    log_in(phone, "member@charity.org.cn")
    phone.goto("/my/claims")
    phone.get_by_role("link", name="高二学生学费缺口").click()  # the claim's own page carries its actions
    phone.get_by_role("link", name="提交帮扶凭证").click()
    expect(phone.get_by_role("heading", name="提交帮扶凭证")).to_be_visible()
    files = phone.locator("#evidence-files")

    # A PDF "receipt" with JavaScript in it is refused, and says why.
    bad = tmp_path / "收据.pdf"
    bad.write_bytes(pdf_with_javascript())
    files.get_by_label("文件类型").select_option("receipt")
    files.get_by_label("选择照片或 PDF 收据（可多选）").set_input_files(str(bad))
    files.get_by_role("button", name="上传").click()
    expect(phone.get_by_text(re.compile("JavaScript"))).to_be_visible()
    expect(phone.locator("#evidence-files img")).to_have_count(0)

    # A photo of the bank transfer slip, taken on the phone (GPS in its EXIF).
    photo = tmp_path / "IMG_2001.jpg"
    photo.write_bytes(jpeg(3000, 2250))
    with Image.open(photo) as original:
        assert original.getexif().get_ifd(0x8825), "the sample must carry GPS to prove anything"
    files.get_by_label("文件类型").select_option("receipt")
    files.get_by_label("选择照片或 PDF 收据（可多选）").set_input_files(str(photo))
    files.get_by_role("button", name="上传").click()
    expect(phone.get_by_text("已上传 1 个文件。")).to_be_visible()
    phone.wait_for_function("document.querySelector('#evidence-files img').naturalWidth > 0")
    phone.get_by_label("实际支付金额（元）").fill("3000")
    phone.get_by_label("帮扶情况说明").fill("学费已通过银行转账缴至学校账户，收据见照片。")
    phone.get_by_label("受助方确认码").fill(code)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the form scrolls sideways on a phone"
    phone.get_by_role("button", name="提交凭证").click()
    phone.wait_for_url(f"**/my/claims/{claim.id}")
    expect(phone.get_by_text("凭证已提交")).to_be_visible()

    # What was stored is the re-encoded photo, with no EXIF at all, nor its thumbnail.
    with world.tx() as s:
        stored = s.scalars(select(EvidenceFile).where(EvidenceFile.claim_id == claim.id)).one()
    with app.app_context():
        for key in (stored.sha256, stored.thumb_sha256):
            data = storage().get(key)
            image = Image.open(io.BytesIO(data))
            assert not image.getexif() and "exif" not in image.info
            assert b"Exif" not in data and b"iPhone" not in data
    assert max(stored.width, stored.height) <= 2560

    # The verifier opens the evidence beside the need, sees the photo load, and approves.
    verifier = new_user()
    log_in(verifier, "verifier@guoyang.gov.cn")
    verifier.goto("/staff/verify")
    verifier.get_by_role("link", name="查看凭证和照片").first.click()
    expect(verifier.get_by_role("heading", name=re.compile("核验凭证"))).to_be_visible()
    expect(verifier.locator(".evidence-side")).to_contain_text("3,000")
    verifier.wait_for_function("document.querySelector('#evidence-files img').naturalWidth > 0")
    verifier.get_by_role("button", name="核验通过").click()
    expect(verifier.get_by_text("已核验通过")).to_be_visible()
    verifier.goto(f"/staff/households/{world_household_code(world, need)}")
    entry = verifier.get_by_role("region", name="救助记录（最新在前）").get_by_role("listitem").filter(
        has_text="高二学生学费缺口").filter(has_text="帮扶方：")
    expect(entry).to_contain_text("受助方确认：确认码")

    # A visitor guessing the URL (the real id, and the next one) gets 404 and leaves a trace.
    visitor = new_user()
    for path in (f"/evidence-files/{stored.id}", f"/evidence-files/{stored.id}/thumb",
                 f"/evidence-files/{stored.id + 1}"):
        response = visitor.request.get(f"{live_server}{path}")
        assert response.status == 404, path
        assert b"\xff\xd8" not in response.body()[:4]
    with world.tx() as s:
        denied = s.scalars(select(SecurityEvent.path).where(SecurityEvent.kind == "access.denied")).all()
    assert f"/evidence-files/{stored.id}" in denied and f"/evidence-files/{stored.id}/thumb" in denied
    # The refused PDF's 422 is the one error the browser reports (as any failed resource load).
    unexpected = [e for e in console_errors if not ("status of 422" in e and "/evidence/files" in e)]
    assert len(console_errors) - len(unexpected) == 1
    assert unexpected == []


def world_household_code(world, need) -> str:
    from marketplace.registry.models import Household

    with world.tx() as s:
        return s.get(Household, need.household_id).public_code
