"""Forms people trust: a text over its limit is refused by the server naming the limit and the count (the
browser no longer cuts it silently: no `maxlength`, a live counter instead); the change-password page is
in the account menu; the 邮件队列 and import pages name kinds and statuses in Chinese, not as codes."""

import re

from sqlalchemy import func, select
from test_pages import need_form

from marketplace.db import transaction
from marketplace.models import Need
from marketplace.notify import outbox_mail
from marketplace.vocabulary import MAIL_KINDS
from support import login, post


def test_a_description_over_its_limit_is_refused_with_the_limit_and_the_count(client, world):
    household = world.household()
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    form = client.get(page).get_data(as_text=True)
    textarea = re.search(r"<textarea[^>]*name=\"description\"[^>]*>", form).group(0)
    assert "maxlength" not in textarea  # a pasted 20,000 characters reach the server, which says so
    assert 'data-counter-for="description"' in form and 'data-max="2000"' in form
    response = post(client, page, need_form(description="需" * 20345), page=page)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "需求描述最多2000字，当前20345字。" in body and 'id="description-error"' in body
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0
    # The text comes back whole, for the person to shorten; line breaks count once, as the counter counts.
    assert "需" * 20345 in body
    fits = post(client, page, need_form(description="行\r\n" * 1000), page=page)
    assert fits.status_code == 303, re.findall(r"class=\"error[^>]*>([^<]*)", fits.get_data(as_text=True))


def test_a_short_title_says_its_own_message_and_a_long_one_the_count(client, world):
    household = world.household()
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    assert "标题须为4至80个字。" in post(client, page, need_form(title="扶手"), page=page).get_data(as_text=True)
    long = post(client, page, need_form(title="卫" * 81), page=page).get_data(as_text=True)
    assert "标题最多80字，当前81字。" in long


def test_the_counter_script_is_keyed_by_the_data_attribute(client):
    response = client.get("/static/app.js")
    script = response.get_data(as_text=True)
    response.close()
    assert "data-counter-for" in script and "data-max" in script


def test_the_change_password_page_is_in_the_account_menu(client, world):
    login(client, "helper@volunteer.cn")
    page = client.get("/account/sessions").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="主导航">(.*?)</nav>', page, re.S).group(1)
    assert 'href="/account/password">修改密码</a>' in nav
    form = client.get("/account/password")
    assert form.status_code == 200 and "当前密码" in form.get_data(as_text=True)


def test_the_outbox_names_the_kind_of_each_mail(client, world, engine):
    with transaction(engine) as s:
        row = outbox_mail.queue(s, to="someone@example.cn", subject="【善桥】通知", text="正文", html=None,
                                key="label-test", kind="need.claimed", region="341621100")
        row.status, row.attempts = "failed", 8
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert ">需求被认领</td>" in page and "need.claimed" not in page


def test_every_kind_of_mail_has_a_label():
    from marketplace.notify.messages import KINDS

    assert set(MAIL_KINDS) == set(KINDS)
