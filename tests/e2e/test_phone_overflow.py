"""No page is wider than a 375 px phone: over the demo world, each demo role crawls the GET pages its
navigation reaches and one level of links from them (bounded per role) in Chromium at 375×740, and every
page's `document.documentElement.scrollWidth` must fit. Offenders are listed with the elements that stick out,
so the fix (overflow-wrap, stacked table cards, max-width) can be found from the failure alone."""

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from marketplace.demo.seed import PASSWORD, seed_demo
from support import build_search_index

WIDTH, HEIGHT = 375, 740
PAGES_PER_ROLE = 40
ROLES = {"visitor": None, "staff": "staff@shanqiao.demo", "verifier": "verifier@shanqiao.demo",
         "city": "city@shanqiao.demo", "charity": "charity@shanqiao.demo", "volunteer": "volunteer@shanqiao.demo"}
# Not pages a person reads on screen: files, exports, calendars, the API, and anything that signs out.
SKIP = re.compile(r"^/(static|api)/|logout|/files?/|download|export|\.(csv|xlsx|ics|pdf|json|svg|png|jpe?g)$|"
                  r"/print\b|/unsubscribe/")
# Where each element that sticks out of the viewport is, the deepest ones first (the cause, not its parents).
OFFENDERS_JS = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0 && ![...el.children].some(
          c => c.getBoundingClientRect().right > width + 0.5)) {
      const cls = el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '';
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(box.right)} `
               + `"${(el.textContent || '').trim().slice(0, 40)}"`);
    }
  }
  return out.slice(0, 4);
}"""


def _shape(url: str) -> str:
    """Pages that differ only in an id or the query (a filter, a tab, a page number) share one layout: crawl
    one of each, so the budget reaches as many different pages as it can."""
    return re.sub(r"[^/]*\d[^/]*|[A-Z0-9]{6,}", "N", urlsplit(url).path)  # ids, 对象编号


def _links(page, origin: str, selector: str = "a[href]") -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl(page, origin: str) -> dict[str, int | tuple | str]:
    """The role's home page, its navigation's pages, then one level of links from those: per URL its width,
    (width, what sticks out) when too wide, or the server error it answered."""
    widths, seen = {}, set()

    def visit(url: str) -> list[str]:
        seen.add(_shape(url))
        response = page.goto(url)
        if response is None or response.status >= 500:
            widths[url] = f"HTTP {response.status if response else 'no response'}"
            return []
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
        if widths[url] > WIDTH:
            widths[url] = (widths[url], page.evaluate(OFFENDERS_JS, WIDTH))
        return _links(page, origin, "main a[href]")

    page.goto("/")
    start = ["/"] + _links(page, origin, "header.site nav a[href]")
    level = []
    for url in start:
        if _shape(url) not in seen and len(widths) < PAGES_PER_ROLE:
            level += visit(url)
    for url in level:
        if _shape(url) not in seen and len(widths) < PAGES_PER_ROLE:
            visit(url)
    return widths


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["zh", "en"])  # English words are longer: both must fit
def test_no_page_of_any_role_is_wider_than_a_phone(app, engine, new_user, live_server, console_errors, language):
    app.config["LOGIN_API_PER_MINUTE"] = 100_000
    seeding = time.monotonic()
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    build_search_index(app)
    print(f"demo seeded and indexed in {time.monotonic() - seeding:.0f} s")
    began, offenders, crawled = time.monotonic(), [], {}
    for role, email in ROLES.items():
        page = new_user()
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        if email:
            page.goto("/login")
            page.get_by_label("电子邮箱").fill(email)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_text("欢迎，")).to_be_visible()
        if language == "en":  # the footer's switch, as a person would: the account (or the visitor's cookie) keeps it
            if not email:
                page.goto("/")
            page.locator("footer").get_by_role("button", name="English").or_(
                page.locator("footer").get_by_role("link", name="English")).click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        widths = _crawl(page, live_server)
        crawled[role] = len(widths)
        print(role, " ".join(widths))
        for url, width in widths.items():
            if not isinstance(width, int):
                offenders.append(f"{role} {url}: {width}")
        page.context.close()
    elapsed = time.monotonic() - began
    print(f"crawled {crawled} pages in {elapsed:.0f} s")
    assert all(n >= 8 for n in crawled.values()), crawled  # each role really reached its pages
    assert not offenders, "pages wider than 375 px:\n" + "\n".join(offenders)
    assert elapsed < 120, f"the crawl took {elapsed:.0f} s"


@pytest.mark.e2e
def test_a_phone_folds_the_menu_and_the_filters_and_stacks_tables(world, new_user, console_errors):
    from support import PASSWORD as WORLD_PASSWORD

    for _ in range(3):
        world.need("open")
    phone = new_user()
    phone.set_viewport_size({"width": WIDTH, "height": HEIGHT})

    # /needs: the filters are one folded line above the first result, opened by a tap, no script needed.
    phone.goto("/needs")
    panel = phone.locator(".facet-panel")
    summary = panel.locator("summary")
    expect(summary).to_have_text("筛选条件")
    assert summary.bounding_box()["y"] < phone.locator("#result-count").bounding_box()["y"]
    facet = panel.locator(".facet a").first
    expect(facet).to_be_hidden()
    summary.click()
    expect(facet).to_be_visible()
    facet.click()
    expect(phone.locator(".facet-panel summary")).to_have_text("筛选条件（已选 1 项）")

    # A staff member's 16 links fold into 菜单: the header is one line until the menu is opened.
    phone.goto("/login")
    phone.get_by_label("电子邮箱").fill("city@bozhou.gov.cn")
    phone.get_by_label("密码").fill(WORLD_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_text("欢迎，")).to_be_visible()
    nav = phone.get_by_role("navigation", name="主导航")
    users = nav.get_by_role("link", name="账号管理")
    expect(users).to_be_hidden()
    assert phone.locator("header.site").bounding_box()["height"] < 80
    nav.get_by_text("菜单").click()
    expect(users).to_be_visible()
    users.click()

    # 账号管理 as cards: each cell says which column it is; nothing wider than the phone.
    expect(phone.get_by_role("heading", name="账号管理")).to_be_visible()
    label = phone.evaluate("""getComputedStyle(document.querySelector('table.stack td[data-label="邮箱"]'),
                                               '::before').content""")
    assert label == '"邮箱："'
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # On a wide screen the same page shows the full navigation and the filters beside the results.
    phone.set_viewport_size({"width": 1280, "height": 800})
    expect(nav.get_by_text("菜单")).to_be_hidden()
    expect(nav.get_by_role("link", name="账号管理")).to_be_visible()
    expect(phone.locator("table.stack thead")).to_be_visible()
    phone.goto("/needs")
    expect(phone.locator(".facet-panel .facet a").first).to_be_visible()
    expect(phone.locator(".facet-panel summary")).to_be_hidden()
    assert not console_errors, console_errors
