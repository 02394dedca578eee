"""Generated inputs (Hypothesis, bounded) for every form field and query parameter of the public and
signed-in pages: whatever arrives, the answer is never a 500. Field names are read from the rendered
forms, so a field added later is fuzzed too."""

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.vocabulary import STAFF_DUTIES
from support import csrf_from, login

# Few examples per route: the whole file stays well under a minute on SQLite.
FUZZ = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_NUMBERISH = st.sampled_from(["NaN", "nan", "sNaN", "Infinity", "-inf", "1e400", "1e-400", "99999999999999999999",
                              "-99999999999999999999", "-1", "0", "1.5", "0x10", "١٢", "１２", "", " ", "1,000"])
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # any character UTF-8 can carry
VALUE = st.one_of(_NUMBERISH, _TEXT, st.integers().map(str), st.floats().map(str), st.decimals().map(str),
                  st.dates().map(str))


def _fields(html: str, action: str | None = None) -> list[str]:
    """Names of the inputs of the form posting to `action` (or of every form), CSRF token excluded."""
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, re.S)
    if action is not None:
        forms = [f for f in forms if f'action="{action}"' in f] or forms
    names = set()
    for form in forms:
        names |= set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', form))
    return sorted(names - {"csrf_token"})


def _params(names):
    return st.fixed_dictionaries({}, optional={name: VALUE for name in names})


def _never_500(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    response.close()


SEARCH = ["q", "category", "form", "tier", "urgency", "county", "township", "region", "sort", "page", "claimed"]


@pytest.fixture
def staff_world(world):
    """The world's poster holds every duty, so every staff form is reachable."""
    with world.tx() as s:
        world.user(s, world.poster).duties = ",".join(STAFF_DUTIES)
    return world


def test_public_query_parameters(client, world):
    world.need("open")

    @FUZZ
    @given(params=_params(SEARCH + ["kind", "next", "status"]))
    def run(params):
        for path in ("/needs", "/api/v1/needs", "/organizations", "/"):
            _never_500(client.get(f"{path}?{urlencode(params)}"), path)

    run()


def test_public_forms_login_and_registrations(client, world):
    forms = {}
    for page, action in (("/login", "/login"), ("/volunteers/register", "/volunteers/register"),
                         ("/organizations/register", "/organizations/register")):
        forms[action] = _fields(client.get(page).get_data(as_text=True), action)
    assert "password" in forms["/login"] and len(forms["/volunteers/register"]) > 3
    token = csrf_from(client.get("/login"))

    @FUZZ
    @given(action=st.sampled_from(sorted(forms)), data=st.data())
    def run(action, data):
        values = data.draw(_params(forms[action]))
        _never_500(client.post(action, data={**values, "csrf_token": token}), action)

    run()


def test_signed_in_charity_forms_pledge_claim_and_evidence(client, staff_world):
    money = staff_world.need("open")
    goods = staff_world.need("in_progress", form="goods")
    with staff_world.tx() as s:
        claim_id = s.scalar(select(Claim.id).where(Claim.need_id == goods.id))
    login(client, "member@charity.org.cn")
    evidence = f"/my/claims/{claim_id}/evidence"
    forms = {f"/needs/{money.id}/pledge": _fields(client.get(f"/needs/{money.id}").get_data(as_text=True),
                                                  f"/needs/{money.id}/pledge"),
             evidence: _fields(client.get(evidence).get_data(as_text=True), evidence),
             f"/needs/{money.id}/claim": []}
    assert "amount" in forms[f"/needs/{money.id}/pledge"] and "quantity" in forms[evidence]
    token = csrf_from(client.get("/my/claims"))

    @FUZZ
    @given(action=st.sampled_from(sorted(forms)), data=st.data())
    def run(action, data):
        values = data.draw(_params(forms[action] or ["note", "reason"]))
        _never_500(client.post(action, data={**values, "csrf_token": token}), action)
        _never_500(client.get(f"/my/pledges?{urlencode(values)}"), "/my/pledges")

    run()


def test_signed_in_staff_need_form_and_lists(client, staff_world):
    household = staff_world.household()
    login(client, "poster@guoyang.gov.cn")
    new = f"/staff/households/{household.public_code}/needs/new"
    page = client.get(new)
    assert page.status_code == 200, page.status_code
    fields = _fields(page.get_data(as_text=True), new)
    assert "title" in fields and "target_amount" in fields
    token = csrf_from(page)
    lists = ["/staff/households", "/staff/access-log", "/staff/reports", "/staff/needs", "/staff/verify",
             "/staff/pledges", "/staff/imports"]

    @FUZZ
    @given(values=_params(fields + ["action"]), query=_params(["q", "tier", "page", "region", "from", "to",
                                                               "months", "code", "status", "kind"]))
    def run(values, query):
        _never_500(client.post(new, data={**values, "csrf_token": token}), new)
        for path in lists:
            _never_500(client.get(f"{path}?{urlencode(query)}"), path)

    run()
