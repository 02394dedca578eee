"""Focus follows the outcome, for people who cannot see the whole page: a refused form puts focus on the
summary of its errors; an htmx action that fails puts it on the error; one that succeeds lands on the next
page with its message in the polite live region, focused."""

import pytest
from playwright.sync_api import expect
from steps import log_in
from test_axe import AXE, _violations


@pytest.mark.e2e
def test_focus_moves_to_the_errors_or_the_result(new_user, console_errors, world):
    from marketplace.claims import service as claims

    page = new_user()
    log_in(page, "helper@volunteer.cn")
    page.goto("/account/password")
    page.get_by_label("当前密码").fill("not-my-password")
    page.locator("#password").fill("a-new-long-passphrase")
    page.get_by_label("再次输入新密码").fill("a-new-long-passphrase")
    page.get_by_role("button", name="保存新密码").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="当前密码：当前密码不正确。")).to_have_attribute("href", "#current")
    page.evaluate(AXE)  # the crawl sees forms untouched; a refused one passes axe as well
    assert not _violations(page)

    # An htmx claim that another organisation won first: the error it brings back gets focus.
    taken, free = world.need("open", form="retrofit"), world.need("open", form="retrofit")
    charity = new_user()
    log_in(charity, "member@charity.org.cn")
    charity.goto(f"/needs/{taken.id}")
    with world.tx() as s:
        claims.claim_need(s, world.user(s, world.charity2), s.merge(taken))
    charity.get_by_role("button", name="认领此需求").click()
    expect(charity.locator("#claim-result .problem")).to_be_focused()

    # One that succeeds: the next page says so in the live region, where focus now is.
    charity.goto(f"/needs/{free.id}")
    charity.get_by_role("button", name="认领此需求").click()
    live = charity.locator("#live")
    expect(live).to_contain_text("已认领")
    expect(live).to_be_focused()
    # The refusals above are logged by the browser as failed loads (422, 409); nothing else may be.
    assert not [e for e in console_errors if "Failed to load resource" not in e], console_errors
