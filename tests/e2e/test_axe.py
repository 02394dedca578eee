"""axe-core in Chromium finds no serious or critical violation on any page of any demo role: the visitor,
a county's staff (poster) and verifier, the city's administrator, a charity's administrator and a plain
member, members of a pending and of a suspended organisation, and a volunteer each sign in, then the crawl
opens the pages their navigation links to and the pages those link to (same origin, one page per URL
shape and role, at most PAGES_PER_ROLE a role) and runs axe on each. Every role checks its own pages,
deeper ones too: the same template carries another menu, other buttons and other duties' links for each
role."""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest

from marketplace.demo.seed import PASSWORD, seed_demo

# axe-core as the PyPI package axe-playwright-python bundles it (axe.min.js 4.12).
AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
ROLES = {"visitor": None, "staff": "staff@shanqiao.demo", "verifier": "verifier@shanqiao.demo",
         "city": "city@shanqiao.demo", "charity": "charity@shanqiao.demo",
         # a plain member of charity@'s organisation, and administrators of a pending and a suspended one
         "charity_member": "org01.member1@shanqiao.demo", "pending_org": "org18.member1@shanqiao.demo",
         "suspended_org": "org20.member1@shanqiao.demo", "volunteer": "volunteer@shanqiao.demo",
         "department": "dept.edu@shanqiao.demo"}  # a government department (分类推送)
PAGES_PER_ROLE = 80  # the city reaches about 50 shapes of page, the others fewer
FAILING = {"serious", "critical"}
# Links that leave the page for a file, end the session or take a one-time token.
SKIPPED = re.compile(r"/(logout|static|download|export|files?|slips?/.*pdf|api)\b|\.(ics|csv|xlsx|pdf|svg|png|jpe?g)"
                     r"(\?|$)|/reset/|/invitations?/|/metrics|/healthz|/readyz")
SHAPE = re.compile(r"[^/]*\d[^/]*")  # a path segment with a digit: an id, a household code, a date


def _shape(url: str) -> str:
    """One page per template: /needs/12 and /needs/40, or /needs?tier=dibao and /needs?page=2, are the
    same page to axe."""
    return SHAPE.sub("N", urlsplit(url).path)


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _links(page, origin: str, nav_only: bool) -> list[str]:
    selector = 'nav[aria-label="主导航"] a[href]' if nav_only else "a[href]"
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    return [h.split("#")[0] for h in hrefs if h.startswith(origin) and not SKIPPED.search(h[len(origin):])]


def _violations(page) -> list[str]:
    # label-content-name-mismatch is experimental in axe, so off unless asked for: visible text inside
    # every accessible name is part of what this test holds the pages to.
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], rules: "
                          "{'label-content-name-mismatch': {enabled: true}}}).then(r => r.violations)")
    return [f"{rule['id']} ({rule['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
            for rule in found if rule["impact"] in FAILING for node in rule["nodes"]]


def _crawl(context, origin: str, email: str | None) -> tuple[int, dict[str, list[str]], list[str]]:
    """The role's pages: its navigation first, then breadth first, one URL per shape of this role's (another
    role's visit to a shape does not stand for this one's). Returns the pages visited, the violations by
    page, and the shapes left over when PAGES_PER_ROLE ran out."""
    page = context.new_page()
    if email:
        _log_in(page, email)
    page.goto("/")
    queue = deque(dict.fromkeys(["/"] + [u[len(origin):] for u in _links(page, origin, nav_only=True)]))
    seen: set[str] = set()
    problems, visited = {}, 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        if found := _violations(page):
            problems[f"{path} ({response.status})"] = found
        queue.extend(u[len(origin):] for u in _links(page, origin, nav_only=False)
                     if _shape(u[len(origin):]) not in seen)
    page.close()
    return visited, problems, sorted({_shape(path) for path in queue} - seen)


@pytest.mark.e2e
def test_axe_finds_no_serious_or_critical_violation_for_any_demo_role(app, engine, browser, live_server):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    report, total, unvisited = [], 0, []
    for role, email in ROLES.items():
        context = browser.new_context(base_url=live_server, locale="zh-CN")
        context.set_default_timeout(15_000)
        context.add_init_script(script=AXE)  # through the protocol: the CSP does not apply to it
        try:
            visited, problems, left = _crawl(context, live_server, email)
        finally:
            context.close()
        total += visited
        assert visited >= 8, f"{role}: only {visited} pages reached"
        report += [f"[{role}] {page}\n    " + "\n    ".join(found) for page, found in problems.items()]
        unvisited += [f"[{role}] {shape}" for shape in left]
    assert not report, f"{len(report)} of {total} pages have serious or critical violations:\n" + "\n".join(report)
    assert not unvisited, f"PAGES_PER_ROLE ({PAGES_PER_ROLE}) left pages unchecked:\n" + "\n".join(unvisited)
