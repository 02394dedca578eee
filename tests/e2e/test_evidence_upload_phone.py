"""Evidence photos from a phone-sized browser (375 px): a GPS-tagged photo uploaded through the htmx form
(its progress bar moved by static/app.js, the CSP allowing no inline script), the thumbnail shown, and
nothing wider than the screen."""

import pytest
from evidence_samples import jpeg
from playwright.sync_api import expect
from sqlalchemy import select

from support import PASSWORD


@pytest.mark.e2e
def test_a_charity_member_uploads_a_photo_on_a_phone(new_user, console_errors, world, tmp_path):
    from marketplace.claims.models import Claim

    need = world.need("in_progress")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(jpeg(2000, 1500))

    page = new_user()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login")
    page.get_by_label("电子邮箱").fill("member@charity.org.cn")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("欢迎，")).to_be_visible()
    page.goto(f"/my/claims/{claim.id}/evidence")
    section = page.locator("#evidence-files")
    expect(section.get_by_text("户口簿")).to_be_visible()
    section.get_by_label("文件类型").select_option("receipt")
    section.get_by_label("选择照片或 PDF 收据（可多选）").set_input_files(str(photo))
    expect(section.get_by_label("或用手机直接拍照")).to_have_attribute("capture", "environment")
    # The bar follows htmx's progress events (a real upload on 127.0.0.1 is over before a frame is drawn).
    progress = page.evaluate("""() => {
        const form = document.querySelector('#evidence-files form.evidence-upload');
        form.dispatchEvent(new CustomEvent('htmx:xhr:progress',
            {bubbles: true, detail: {lengthComputable: true, loaded: 30, total: 120}}));
        const bar = form.querySelector('progress');
        return [bar.hidden, bar.value];
    }""")
    assert progress == [False, 25]
    section.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-files img")).to_have_count(1)
    expect(page.get_by_text("已上传 1 个文件。")).to_be_visible()
    image = page.locator("#evidence-files img").first
    expect(image).to_have_attribute("alt", "收据或转账凭证照片，点击查看原图")
    page.wait_for_function("document.querySelector('#evidence-files img').naturalWidth > 0")  # the thumb loads
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not console_errors, console_errors
