"""The 月度衔接情况通报 printed from Debian's chromium: the demo county's bulletin (谯城区, with the demo's whole
month of needs, aid, organisations, offers and referrals) prints on at most two A4 pages without the site's
navigation or footer; so does the longest bulletin the page shows (every section at its cap); the pages break
no CSP rule and axe-core finds no serious or critical problem on them."""

import copy
import io
import re
import unicodedata
from datetime import date
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from marketplace.bulletins import generate
from marketplace.bulletins.period import Month, last_month, local_today
from marketplace.db import engine_of, transaction
from marketplace.demo.logins import PASSWORD
from marketplace.demo.seed import seed_demo

A4 = (595.3, 841.9)  # points
AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")  # a page, not the /Pages tree


CRAMMED = Month(date(2024, 1, 1))


def _crammed(payload: dict) -> dict:
    """The demo's payload with every section as long as the page shows it: all categories, ten organisations
    and six offers with long names, every referral outcome, routing, and last month's figures."""
    from marketplace.vocabulary import CATEGORIES, REFERRAL_OUTCOMES

    p = copy.deepcopy(payload)
    row = p["needs"]["rows"][0]
    p["needs"]["rows"] = [{**row, "category": code} for code in CATEGORIES]
    org = p["organizations"][0]
    p["organizations"] = [{**org, "organization_id": i, "name": f"亳州市谯城区春晖社会工作服务中心第{i}分中心"}
                          for i in range(1, 16)]
    offer = {"offer_id": 1, "title": "困境儿童助学与心理陪伴关爱计划（2025年度）", "organization": "亳州市青少年发展基金会",
             "serving": True, "made": 12, "accepted": 9, "declined": 2}
    p["offers"] = {**p["offers"], "rows": [{**offer, "offer_id": i} for i in range(1, 10)]}
    p["family_referrals"] = {"filed": 12, "decided": dict.fromkeys(REFERRAL_OUTCOMES, 2), "decided_total": 12,
                             "overdue": 3}
    p["routing"] = {"routed": 20, "handled": 12, "declined": 5, "lapsed": 3}
    p["previous"] = {"month": "2023-12", "generated_at": p["generated_at"], "headline": p["headline"]}
    p["month"], p["first"], p["last"] = "2024-01", "2024-01-01", "2024-01-31"
    return p


def _violations(page) -> list[str]:
    """Serious and critical axe-core findings (as tests/e2e/test_axe.py runs it)."""
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{rule['id']}: {node['target']}" for rule in found if rule["impact"] in ("serious", "critical")
            for node in rule["nodes"]]


def _pages(pdf: bytes) -> int:
    counted = len(PAGE_OBJECT.findall(pdf))
    assert counted == len(PdfReader(io.BytesIO(pdf)).pages)
    return counted


@pytest.mark.e2e
def test_the_demo_countys_bulletin_prints_on_two_a4_pages(app, new_user, console_errors):
    seed_demo(engine_of(app), app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    this_month = Month.of(local_today())
    with transaction(engine_of(app)) as s:
        # The demo's activity happened this month (its services stamp the real clock): the fullest bulletin.
        full = generate.generate(s, "341602", this_month).payload
        assert generate.stored(s, "341602", last_month()) is not None  # seeded with the demo
    assert full["needs"]["total"]["posted"] >= 50 and len(full["organizations"]) >= 5
    assert full["offers"] and full["family_referrals"]
    with transaction(engine_of(app)) as s:  # and the longest a bulletin can print: every section at its cap
        generate.store(s, "341602", CRAMMED, _crammed(full))

    page = new_user()
    page.context.add_init_script(script=AXE)  # through the protocol: the CSP does not apply to it
    page.goto("/login")
    page.get_by_label("电子邮箱").fill("staff@shanqiao.demo")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("欢迎，")).to_be_visible()
    page.goto("/staff/bulletins")
    page.get_by_role("link", name=re.compile(r"\d{4}年\d{1,2}月")).first.click()  # last month's, from the demo seed
    expect(page.get_by_role("heading", level=1)).to_contain_text("衔接情况通报")
    assert not _violations(page)
    page.goto("/staff/bulletins")
    assert not _violations(page)

    for month in (last_month(), this_month, CRAMMED):
        page.goto(f"/staff/bulletins/341602/{month.key}")
        expect(page.get_by_role("heading", name="主要指标")).to_be_visible()
        page.emulate_media(media="print")
        assert not page.locator("header.site").is_visible() and not page.locator("footer.site").is_visible()
        assert not page.locator(".no-print").first.is_visible()
        page.emulate_media(media=None)
        assert not _violations(page), month.key
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        pages = _pages(pdf)
        assert 1 <= pages <= 2, (month.key, pages)
        reader = PdfReader(io.BytesIO(pdf))
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - A4[0]) < 2 and abs(float(box.height) - A4[1]) < 2
        # NFKC: the PDF's text layer spells some ideographs as Kangxi radicals (⽣ for 生).
        text = unicodedata.normalize("NFKC", "".join("".join(p.extract_text().split()) for p in reader.pages))
        assert "衔接情况通报" in text and "主要指标" in text and "生成时间" in text
        assert "主导航" not in text and "退出" not in text and "公开页面只展示" not in text
    assert not console_errors, console_errors
