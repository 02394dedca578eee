"""The demo has referrals in every state, from charity members and volunteers, one linked to a household,
and none of them shows a name or phone to its referrer."""

from datetime import date

from sqlalchemy import select

from marketplace.auth.access import in_scope
from marketplace.auth.models import AppUser
from marketplace.demo.referrals_seed import NAMES
from marketplace.demo.seed import PASSWORD, seed_demo
from marketplace.referrals.models import FamilyReferral
from marketplace.vocabulary import REFERRAL_OUTCOMES


def test_the_demo_has_referrals_in_every_state(app, engine, tx):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        rows = s.scalars(select(FamilyReferral)).all()
        roles = {s.get(AppUser, r.referrer_id).role for r in rows}
        emails = {s.get(AppUser, r.referrer_id).email for r in rows}
    today = date.today()
    assert {r.outcome for r in rows if r.status == "decided"} == set(REFERRAL_OUTCOMES)
    assert any(r.status == "open" and r.due_on < today for r in rows)
    assert any(r.status == "open" and r.due_on >= today for r in rows)
    assert any(r.household_id for r in rows)
    assert all(r.outcome_reason for r in rows if r.outcome == "ineligible")
    assert roles == {"charity", "volunteer"}
    assert {"volunteer@shanqiao.demo", "charity@shanqiao.demo"} <= emails
    names = [r.name_enc for r in rows if r.name_enc]
    assert names and not any(n.encode() in bytes(blob) for blob in names for n in NAMES)


def test_the_demo_referral_pages_read_in_english(app, engine, tx):
    """The pages the 中文/English crawl reaches once the menu links them, with the demo's own data."""
    from i18n.english_crawl import Allowance, allowance_from_database, read_page
    from sqlalchemy import update

    from support import login

    vault = app.extensions["marketplace.vault"]
    seed_demo(engine, vault, store=app.extensions["marketplace.storage"])
    data = allowance_from_database(engine, vault)
    allowance = Allowance(data.values, data.whole, data.tokens)
    with tx() as s:
        s.execute(update(AppUser).values(locale="en"))
        rows = [(r.referrer_id, r.region_code, r.id) for r in s.scalars(select(FamilyReferral))]
        users = {u.email: u for u in s.scalars(select(AppUser).where(AppUser.email.like("%@shanqiao.demo")))}
    left = []
    for email, base in (("staff@shanqiao.demo", "/staff/referrals"), ("city@shanqiao.demo", "/staff/referrals"),
                        ("volunteer@shanqiao.demo", "/my/referrals"), ("charity@shanqiao.demo", "/my/referrals")):
        client = app.test_client()
        login(client, email, PASSWORD)
        user = users[email]
        if base.startswith("/my"):
            shown = [i for who, _code, i in rows if who == user.id]
            urls = [base, f"{base}?tab=decided", "/referrals/new"]
        else:
            shown = [i for _who, code, i in rows if in_scope(user, code)]
            urls = [base, f"{base}?tab=overdue", f"{base}?tab=decided"]
        assert shown, email
        urls += [f"{base}/{i}" for i in shown]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (email, url)
            page = read_page(response.get_data(as_text=True))
            left += [(url, text) for text, _where in page.texts if allowance.residue(text)]
    assert not left, left
