"""通知设置 and one-click unsubscribe: the settings page saves language and subscriptions; the signed link
works without signing in (RFC 8058) and a tampered one is refused."""

import re

from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.notify import subscriptions, tokens
from marketplace.notify.subscriptions import NotificationSubscription
from support import login, post


def test_the_settings_page_saves_language_digest_and_reminders(client, world, tx):
    login(client, "helper@volunteer.cn")
    page = client.get("/profile/notifications")
    assert page.status_code == 200 and "通知设置" in page.get_data(as_text=True)
    response = post(client, "/profile/notifications",
                    {"locale": "en", "digest_enabled": "y", "categories": ["education", "care"],
                     "regions": ["341621100"]}, page="/profile/notifications")
    assert response.status_code == 303
    with tx() as s:
        assert s.get(AppUser, world.volunteer).locale == "en"
        row = s.scalars(select(NotificationSubscription).where(NotificationSubscription.user_id == world.volunteer)).one()
        assert (row.digest_enabled, row.categories, row.regions, row.reminders_enabled) == \
            (True, "care education", "341621100", False)
    again = client.get("/profile/notifications").get_data(as_text=True)
    assert re.search(r'value="341621100"\s+checked', again) and re.search(r'<input checked[^>]*value="en"', again)


def test_unknown_categories_and_places_are_refused_with_a_message(client, world, tx):
    login(client, "member@charity.org.cn")
    response = post(client, "/profile/notifications", {"locale": "zh_CN", "regions": ["999999"]},
                    page="/profile/notifications")
    assert response.status_code == 422 and "不是有效的县级或乡镇级行政区划代码" in response.get_data(as_text=True)
    response = post(client, "/profile/notifications", {"locale": "zh_CN", "categories": ["casino"]},
                    page="/profile/notifications")
    assert response.status_code == 422 and "需求类别「casino」不存在" in response.get_data(as_text=True)
    with tx() as s:
        assert subscriptions.subscription_of(s, world.charity).id is None


def test_the_settings_page_needs_a_sign_in(client):
    assert client.get("/profile/notifications").status_code in (302, 303)


def _subscribed(app, tx, user_id):
    with tx() as s:
        subscriptions.save(s, s.get(AppUser, user_id), subscriptions.Choice("zh_CN", True, [], [], True))
    with app.app_context():
        return tokens.unsubscribe_token(user_id, "digest")


def test_the_unsubscribe_link_works_without_a_sign_in(app, client, world, tx):
    token = _subscribed(app, tx, world.volunteer)
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "确认退订" in page.get_data(as_text=True)
    with tx() as s:
        assert subscriptions.subscription_of(s, world.volunteer).digest_enabled  # GET changes nothing
    done = client.post(f"/unsubscribe/{token}")  # no CSRF token, no session: the signature is the proof
    assert done.status_code == 200 and "已退订" in done.get_data(as_text=True)
    with tx() as s:
        row = subscriptions.subscription_of(s, world.volunteer)
        assert not row.digest_enabled and row.reminders_enabled


def test_a_mail_client_one_click_post_unsubscribes(app, client, world, tx):
    token = _subscribed(app, tx, world.volunteer)
    response = client.post(f"/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    with tx() as s:
        assert not subscriptions.subscription_of(s, world.volunteer).digest_enabled


def test_a_tampered_or_foreign_token_is_refused(app, client, world, tx):
    token = _subscribed(app, tx, world.volunteer)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for response in (client.get(f"/unsubscribe/{tampered}"), client.post(f"/unsubscribe/{tampered}"),
                     client.post("/unsubscribe/not-a-token")):
        assert response.status_code == 400 and "退订链接无效" in response.get_data(as_text=True)
    with tx() as s, app.app_context():
        reset_token = tokens.reset_token(s.get(AppUser, world.volunteer))
    assert client.post(f"/unsubscribe/{reset_token}").status_code == 400  # another purpose's signature
    with tx() as s:
        assert subscriptions.subscription_of(s, world.volunteer).digest_enabled


def test_staff_reach_the_settings_from_the_navigation(client, world):
    login(client, "poster@guoyang.gov.cn")
    home = client.get("/staff/needs").get_data(as_text=True)
    assert 'href="/profile/notifications"' in home
    page = client.get("/profile/notifications")
    assert page.status_code == 200 and "楚店镇" in page.get_data(as_text=True)
