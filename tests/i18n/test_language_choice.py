"""Which language a page is in, as people notice it: the browser's language for a visitor, the footer's
switch (a cookie for a visitor, the account's setting once signed in, which also beats the browser), and
the public page cache never handing a Chinese page to an English visitor or the reverse."""

import pytest

from marketplace import create_app
from marketplace.auth.models import AppUser
from support import csrf_from, login

ENGLISH_FOOTER = "Shanqiao links civil-affairs departments"
CHINESE_FOOTER = "善桥是连接民政部门"


def test_a_visitor_gets_the_browsers_language_and_chinese_by_default(client, world):
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and ENGLISH_FOOTER in english
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and CHINESE_FOOTER in chinese
    unknown = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert CHINESE_FOOTER in unknown


def test_the_footer_link_switches_a_visitor_and_stays_on_the_page(client, world):
    response = client.get("/language/en?next=/needs", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/needs")
    page = client.get("/needs", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert ENGLISH_FOOTER in page and '<html lang="en">' in page
    client.get("/language/zh_CN?next=/")
    assert CHINESE_FOOTER in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_switch_never_sends_anyone_to_another_site(client, world, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] in ("/", "http://localhost/")


def test_an_account_keeps_its_choice_over_the_browser_and_for_its_mail(client, world, tx):
    login(client, "member@charity.org.cn")
    token = csrf_from(client.get("/my/claims"))
    response = client.post("/language", data={"locale": "en", "next": "/my/claims", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/my/claims")
    with tx() as s:
        assert s.get(AppUser, world.charity).locale == "en"  # the same setting chooses its mail's language
    client.delete_cookie("lang")  # another browser, in Chinese: the account's choice still wins
    page = client.get("/my/claims", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page and ENGLISH_FOOTER in page


def test_the_account_switch_needs_the_csrf_token(client, world, tx):
    login(client, "member@charity.org.cn")
    response = client.post("/language", data={"locale": "en", "next": "/"})
    assert response.status_code == 400
    with tx() as s:
        assert s.get(AppUser, world.charity).locale == "zh_CN"


@pytest.fixture
def cached_client(app):
    config = {key: app.config[key] for key in ("DATABASE_URL", "INSTANCE_PATH", "SEARCH_INDEX_DIR",
                                                "MAIL_SUPPRESS_SEND", "STAFF_2FA")}
    cached = create_app({"TESTING": True, **config, "PUBLIC_PAGE_CACHE_SECONDS": 30})
    yield cached.test_client
    cached.extensions["marketplace.engine"].dispose()


def test_the_public_page_cache_keeps_one_page_per_language(cached_client, world):
    world.need("open", title="独居老人冬季棉被")
    chinese_visitor, english_visitor, switched = cached_client(), cached_client(), cached_client()
    first = chinese_visitor.get("/needs", headers={"Accept-Language": "zh-CN"})
    assert CHINESE_FOOTER in first.get_data(as_text=True)
    assert "Accept-Language" in first.headers.get("Vary", "")
    english = english_visitor.get("/needs", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert ENGLISH_FOOTER in english and CHINESE_FOOTER not in english
    switched.get("/language/en?next=/needs")
    assert ENGLISH_FOOTER in switched.get("/needs", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    again = chinese_visitor.get("/needs", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert CHINESE_FOOTER in again
