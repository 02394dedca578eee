"""The resource list's pages in English for each role that uses them, on the demo: no Chinese outside user
data and place names (the checks of tests/i18n/test_english_pages.py, started from these pages)."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "i18n"))

from english_crawl import Allowance, allowance_from_database, crawl, findings, report  # noqa: E402

from marketplace.auth.models import AppUser  # noqa: E402
from marketplace.cli import load_reference_data  # noqa: E402
from marketplace.demo.seed import PASSWORD, seed_demo  # noqa: E402
from marketplace.offers.models import NeedReferral, ResourceOffer  # noqa: E402
from support import csrf_from, login  # noqa: E402

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
ROLES = {"visitor": None, "staff": "staff@shanqiao.demo", "city": "city@shanqiao.demo",
         "charity": "charity@shanqiao.demo", "charity_member": "org01.member1@shanqiao.demo"}


def test_offer_pages_read_in_english(app, engine):
    vault = app.extensions["marketplace.vault"]
    load_reference_data(app)
    seed_demo(engine, vault, store=app.extensions["marketplace.storage"])
    with engine.connect() as conn:
        offer_id = conn.execute(select(ResourceOffer.id).order_by(ResourceOffer.id)).scalars().first()
        assert conn.execute(select(NeedReferral.id)).first() is not None
    start = ["/offers", f"/offers/{offer_id}", "/offers?category=education", "/offers?category=nope",
             "/staff/offers", f"/staff/offers/{offer_id}", "/my/offers", "/my/offers/new", f"/my/offers/{offer_id}/edit",
             "/my/offer-referrals", "/organizations/1"]
    data = allowance_from_database(engine, vault)
    allowance = Allowance(data.values, data.whole, data.tokens)
    crawls, not_english = {}, []
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            login(client, email, PASSWORD)
            token = csrf_from(client.get("/", headers=ZH))
            client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token}, headers=ZH)
            client.delete_cookie("lang")
            with engine.connect() as conn:
                assert conn.execute(select(AppUser.locale).where(AppUser.email == email)).scalar_one() == "en"
        headers = ZH if email else {"Accept-Language": "en"}
        # Only the pages of this capability: the whole site is tests/i18n's.
        result = crawl(client, start, headers, 40)
        result.visits = [v for v in result.visits if "offer" in v.url or v.url.startswith("/organizations/")]
        crawls[role] = result
        not_english += [f"[{role}] {v.url}" for v in result.visits if v.page.html_lang != "en"]
    assert sum(len(c.visits) for c in crawls.values()) >= 20
    found = findings({role: c.visits for role, c in crawls.items()}, allowance)
    if found or not_english or any(c.errors for c in crawls.values()):
        pytest.fail(report(found, crawls, not_english, data), pytrace=False)
