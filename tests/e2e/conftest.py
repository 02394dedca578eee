"""End-to-end fixtures: the app served on a real port by werkzeug, and Debian's chromium driven by Playwright.

Every user gets a browser context of their own (own cookies), and every page reports console errors
(CSP violations among them) and uncaught exceptions into `console_errors`."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The `app` fixture's app on 127.0.0.1 at a port the OS picks; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


def _console(page, msg, errors: list[str]) -> None:
    if msg.type != "error":
        return
    source = msg.location.get("url", "")
    errors.append(f"{page.url}: console.error: {msg.text} ({source or 'inline'})")


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def new_user(browser, live_server, console_errors) -> Iterator[Callable]:
    """`new_user()` opens a page in a fresh browser context (no shared cookies) against the live server."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: _console(page, msg, console_errors))
        page.on("pageerror", lambda error: console_errors.append(f"{page.url}: uncaught: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
