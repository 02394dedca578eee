"""The demo's public surface leaks no identity: every public page and public JSON response, as a visitor,
a charity member and a volunteer, is searched for every household's name, ID number, phone and address."""

import json
import re

from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.claims.models import Claim
from marketplace.db import transaction
from marketplace.demo.seed import seed_demo
from marketplace.needs.listing import PUBLIC_STATUSES
from marketplace.needs.models import Need
from marketplace.privacy.identity import reveal
from marketplace.regions.bozhou import COUNTIES
from marketplace.registry.models import Household
from marketplace.vocabulary import CATEGORIES, FORMS, TIERS, URGENCIES
from support import build_search_index

DEMO_PASSWORD = "shanqiao-demo-2026"


class Needles:
    """Every household's identifiers, searched for by token rather than one `in` per secret: 8,000
    secrets against 2,000 responses would otherwise take minutes."""

    def __init__(self, identities):
        self.names = {i.name for i in identities}
        self.numbers = {i.id_number for i in identities} | {i.phone for i in identities}
        self.addresses = {i.address for i in identities}
        self.address_sizes = {len(a) for a in self.addresses}
        self.counties = re.compile("|".join(COUNTIES.values()))

    def found_in(self, body: str) -> set[str]:
        hits = set()
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", body):
            for size in (2, 3):
                hits |= {run[i:i + size] for i in range(len(run) - size + 1)} & self.names
        for run in re.findall(r"[0-9X]{11,}", body.upper()):
            for size in (11, 18):
                hits |= {run[i:i + size] for i in range(len(run) - size + 1)} & self.numbers
        for match in self.counties.finditer(body):
            hits |= {body[match.start():match.start() + size] for size in self.address_sizes} & self.addresses
        return hits


def _text(response) -> str:
    if response.is_json:  # jsonify escapes non-ASCII: compare the decoded text
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def _filter_urls(base: str) -> list[str]:
    urls = [base] + [f"{base}?page={n}" for n in range(1, 8)]
    tables = (("category", CATEGORIES), ("form", FORMS), ("urgency", URGENCIES), ("county", COUNTIES))
    for name, values in tables:
        urls += [f"{base}?{name}={value}" for value in values]
        urls += [f"{base}?{name}={value}&page=2" for value in values]
    urls += [f"{base}?q={word}" for word in ("老人", "学费 大学", "轮椅", "助浴", "谯城区", "低保边缘家庭")]
    urls += [f"{base}?claimed=1&sort={sort}" for sort in ("waiting", "deadline", "urgency")]
    urls += [f"{base}?tier={tier}" for tier in TIERS]
    return urls


def _log_in(client, email):
    from support import csrf_from

    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_no_public_page_or_json_shows_any_households_identity(app, engine):
    # One client address sweeps every public need of the demo through the API: past the per-address limit.
    app.config["LOGIN_API_PER_MINUTE"] = 100_000
    vault = app.extensions["marketplace.vault"]
    seed_demo(engine, vault)
    with transaction(engine) as s:
        identities = [reveal(h, vault) for h in s.scalars(select(Household))]
        needles = Needles(identities)
        public = list(s.scalars(select(Need.id).where(Need.status.in_(PUBLIC_STATUSES))))
        started = {email: list(s.scalars(select(Claim.id).join(AppUser, Claim.claimant_id == AppUser.id)
                                         .where(AppUser.email == email, Claim.status == "started")))
                   for email in ("charity@shanqiao.demo", "volunteer@shanqiao.demo")}
    assert len(identities) > 1900
    assert all(i.name and i.id_number and i.phone and i.address for i in identities)
    assert len(public) > 200
    assert build_search_index(app) > 100  # pages list from the index, as in production

    pages = ["/", "/needs"] + _filter_urls("/needs") + [f"/needs/{n}" for n in public]
    api = _filter_urls("/api/v1/needs") + [f"/api/v1/needs/{n}" for n in public]
    visitors = {"visitor": (None, pages + api),
                "charity": ("charity@shanqiao.demo", pages + api + ["/my/claims"]),
                # The API answers alike whoever asks: once signed in (as charity) is enough.
                "volunteer": ("volunteer@shanqiao.demo", pages + ["/my/claims"])}
    seen = 0
    for who, (email, urls) in visitors.items():
        client = app.test_client()
        if email:
            _log_in(client, email)
            urls = urls + [f"/my/claims/{c}/evidence" for c in started[email]]
        for url in urls:
            response = client.get(url, headers={"HX-Request": "true"} if "page=2" in url else {})
            assert response.status_code == 200, (who, url, response.status_code)
            leaked = needles.found_in(_text(response))
            assert not leaked, f"{who} {url} shows {sorted(leaked)[:5]}"
            seen += 1
    assert seen > 1500

    # The search itself works: the staff chain page, which may show the identity, is caught by it.
    staff = app.test_client()
    _log_in(staff, "staff@shanqiao.demo")
    with transaction(engine) as s:
        code = s.scalars(select(Household.public_code).where(Household.region_code.startswith("341602"))
                         .limit(1)).one()
    assert len(needles.found_in(staff.get(f"/staff/households/{code}").get_data(as_text=True))) >= 3


def test_searching_for_a_person_finds_nothing(app, engine):
    """Names, ID numbers, phones and addresses are not in the search index, so asking for one finds no
    need, even though needs of that very household are listed."""
    vault = app.extensions["marketplace.vault"]
    seed_demo(engine, vault)
    with transaction(engine) as s:
        listed = s.scalars(select(Household).join(Need, Need.household_id == Household.id)
                           .where(Need.status == "open").limit(15)).all()
        identities = [reveal(h, vault) for h in listed]
    build_search_index(app)
    client = app.test_client()
    for person in identities:
        for query in (person.name, person.id_number, person.phone, person.address):
            answer = client.get(f"/api/v1/needs?q={query}").get_json()
            assert answer["total"] == 0, (query, [item["title"] for item in answer["items"]])
