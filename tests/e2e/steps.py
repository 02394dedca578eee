"""Steps the browser tests share (importable as `steps`: pytest puts this directory on the path for its
conftest.py)."""

from playwright.sync_api import expect

from support import PASSWORD


def log_in(page, email: str) -> None:
    """Sign in through the login form and wait for the greeting."""
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("欢迎，")).to_be_visible()
