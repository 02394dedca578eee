"""The 送达回执 in a real browser: the household's copy prints on one A5 sheet without the site's navigation,
the fulfiler's copy fits a phone (375 px) and takes the household's code there, and no page breaks the CSP."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from support import PASSWORD

A5 = (419.5, 595.3)  # points


def _signed_in(new_user, email):
    page = new_user()
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("欢迎，")).to_be_visible()
    return page


@pytest.mark.e2e
def test_the_household_copy_prints_on_one_a5_sheet_and_the_code_confirms_on_a_phone(new_user, console_errors,
                                                                                     world):
    from marketplace.claims.models import Claim
    from marketplace.confirmation.models import DeliverySlip

    need = world.need("in_progress")
    with world.tx() as s:
        claim_id = s.scalars(select(Claim.id).where(Claim.need_id == need.id)).one()

    staff = _signed_in(new_user, "poster@guoyang.gov.cn")
    staff.goto(f"/staff/needs/{need.id}/confirmation")
    staff.get_by_role("link", name="打印受助方联（含确认码）").click()
    expect(staff.locator(".slip .code strong")).to_be_visible()
    code = staff.locator(".slip .code strong").inner_text()
    assert len(code) == 6 and code.isdigit()
    staff.emulate_media(media="print")
    assert not staff.locator("header.site").is_visible() and not staff.locator(".no-print").is_visible()
    staff.emulate_media(media=None)
    pdf = PdfReader(io.BytesIO(staff.pdf(prefer_css_page_size=True, print_background=False)))
    assert len(pdf.pages) == 1, [p.extract_text()[:300] for p in pdf.pages]  # the navigation printed nowhere
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - A5[0]) < 2 and abs(float(box.height) - A5[1]) < 2
    text = pdf.pages[0].extract_text()
    assert code in "".join(text.split()) and "帮扶需求" in text and "主导航" not in text and "退出" not in text

    phone = _signed_in(new_user, "member@charity.org.cn")
    phone.set_viewport_size({"width": 375, "height": 740})
    phone.goto("/my/claims")
    phone.get_by_role("link", name=need.title).click()  # the claim's own page carries its actions
    phone.get_by_role("link", name="送达回执（帮扶方联）与确认码录入").click()
    expect(phone.get_by_text("受助方或村（居）委会代签")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_label("受助方确认码（送达回执受助方联上的6位数字）").fill(code)
    phone.get_by_role("button", name="录入确认码").click()
    expect(phone.get_by_text("确认码正确，受助方已确认收到帮扶。")).to_be_visible()
    with world.tx() as s:
        slip = s.scalars(select(DeliverySlip).where(DeliverySlip.claim_id == claim_id)).one()
        assert slip.confirmed_via == "code"
    assert not console_errors, console_errors
