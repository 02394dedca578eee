"""Accessible by construction: form controls carry ARIA attributes only with real values (never "None",
which ARIA reads as invalid); every error is linked to its field; all errors of a refused form are listed
at once above it, linked to their fields, errors a service raised among them; results land in one polite
live region."""

import re

from test_pages import need_form

from support import login, post


def _control(body: str, name: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]*\bname="{name}"[^>]*>', body).group(0)


def _summary(body: str) -> str:
    match = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', body, re.S)
    assert match, "the refused form has no error summary"
    return match.group(1)


def test_untouched_forms_carry_no_aria_state_and_never_none(client, world):
    body = client.get("/login").get_data(as_text=True)
    assert '="None"' not in body
    assert "aria-invalid" not in _control(body, "email") and "error-summary" not in body
    login(client, "poster@guoyang.gov.cn")
    page = client.get(f"/staff/households/{world.household().public_code}/needs/new").get_data(as_text=True)
    assert '="None"' not in page and "aria-invalid" not in page


def test_every_error_of_a_refused_form_is_listed_at_once_and_linked_to_its_field(client, world):
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{world.household().public_code}/needs/new"
    response = post(client, page, need_form(title="扶手", description="需" * 2001, urgency=""), page=page)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and '="None"' not in body
    summary = _summary(body)
    links = re.findall(r'<a href="#(\w+)">([^<]*)</a>', summary)
    assert {field for field, _ in links} >= {"title", "description", "urgency"}
    assert "请修改以下" in summary and "标题须为4至80个字。" in summary
    for field, _ in links:
        control = _control(body, field)
        assert 'aria-invalid="true"' in control, control
        described = re.search(r'aria-describedby="([^"]+)"', control).group(1).split()
        for ref in described:  # every id it names is on the page, and one of them is an error message
            assert f'id="{ref}"' in body, (field, ref)
        assert any(re.search(rf'<p class="error" id="{ref}">', body) for ref in described), field
    # Fields that were right stay unmarked.
    assert "aria-invalid" not in _control(body, "deadline")


def test_an_error_the_service_raised_is_in_the_summary_too(client, world):
    login(client, "helper@volunteer.cn")
    response = post(client, "/account/password", {"current": "not-my-password", "password": "a-new-long-passphrase",
                                                   "confirm": "a-new-long-passphrase"}, page="/account/password")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#current">当前密码：当前密码不正确。</a>' in _summary(body)
    assert 'aria-describedby="current-error"' in _control(body, "current")


def test_results_land_in_one_polite_live_region(client, world):
    login(client, "helper@volunteer.cn")
    empty = client.get("/account/sessions").get_data(as_text=True)
    assert re.search(r'<div class="flashes" id="live" role="status" aria-live="polite"', empty)
    with client.get("/static/app.js") as response:
        script = response.get_data(as_text=True)
    assert "htmx:afterSettle" in script and ".error-summary" in script and 'getElementById("live")' in script


def test_the_remove_member_button_names_its_visible_text(client, world):
    from marketplace.auth.models import AppUser

    with world.tx() as s:
        s.get(AppUser, world.charity).org_role = "administrator"
    login(client, "member@charity.org.cn")
    body = client.get("/organization").get_data(as_text=True)
    for label, text in re.findall(r'<button type="submit" aria-label="([^"]+)">([^<]+)</button>', body):
        assert text.strip() in label, (label, text)
    assert 'aria-label="移出组织：member2">移出组织</button>' in body
