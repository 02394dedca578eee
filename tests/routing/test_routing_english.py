"""分类推送 in English: the rules pages for staff, the department's list, item and answers, the need form's
source and the registration's department. Only user data and place names stay Chinese."""

import sys
from datetime import date
from pathlib import Path

from routing_support import department, rule
from sqlalchemy import select

from marketplace.cli import load_reference_data
from marketplace.routing import service as routing
from support import login, post

sys.path.insert(0, str(Path(__file__).parent.parent / "i18n"))
from english_crawl import Allowance, allowance_from_database, read_page  # noqa: E402


def chinese_left(app, engine, html: str) -> list[str]:
    data = allowance_from_database(engine)
    allowance = Allowance(data.values, data.whole, data.tokens)
    return [text for text, _ in read_page(html).texts if allowance.residue(text)]


def test_the_department_works_in_english(app, client, world, engine):
    org, member = department(world, email="jyj@guoyang.gov.cn")
    rule(world, org)
    handled, declined = world.need("open"), world.need("open", title="初中学生课后辅导费用")
    world.need("open", title="高中学生住宿费缺口")
    with world.tx() as s:
        first, second = routing.latest_for_need(s, handled.id), routing.latest_for_need(s, declined.id)
        routing.handle(s, world.user(s, member), first, routing.Handled("免除学费", 120000, date.today()))
        routing.decline(s, world.user(s, member), second, "no_policy", "本局没有对应的资助政策")
    world.in_english(member)
    login(client, "jyj@guoyang.gov.cn")
    pages = {"/department/needs": ("Needs routed to my department", "To handle"),
             "/department/needs?tab=handled": ("Handled",),
             "/department/needs?tab=declined": ("Returned",)}
    for url, words in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert all(w in html for w in words), url
        assert chinese_left(app, engine, html) == [], url
    with world.tx() as s:
        pending = s.scalars(select(routing.NeedRouting).where(routing.NeedRouting.status == "pending")).one()
    for item in (first.id, second.id, pending.id):
        html = client.get(f"/department/needs/{item}").get_data(as_text=True)
        assert chinese_left(app, engine, html) == [], item
    refused = post(client, f"/department/needs/{pending.id}/decline", {"answer": "", "reason": ""},
                   page=f"/department/needs/{pending.id}")
    assert refused.status_code == 422 and "Please choose why it is sent back." in refused.get_data(as_text=True)


def test_staff_rules_and_the_need_form_in_english(app, client, world, engine):
    load_reference_data(app)
    org, _ = department(world)
    rule(world, org)
    world.in_english(world.city, world.poster)
    login(client, "city@bozhou.gov.cn")
    for url in ("/staff/routing/rules", "/staff/routing/rules/new"):
        html = client.get(url).get_data(as_text=True)
        assert "Routing rule" in html and chinese_left(app, engine, html) == [], url
    client.get("/logout")
    login(client, "poster@guoyang.gov.cn")
    household = world.household()
    page = client.get(f"/staff/households/{household.public_code}/needs/new").get_data(as_text=True)
    assert "Source of the need" in page and "Home visit" in page
    register = client.get("/organizations/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Department (required for government departments)" in register
