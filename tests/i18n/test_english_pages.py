"""Every page of every role, in English, shows no Chinese outside user data and place names.

The demo is seeded; each demo role (the visitor, a county's poster, its verifier, the city's administrator,
a charity's administrator and a plain member, members of a pending and of a suspended organisation, a
volunteer) signs in and chooses English in the footer as a person would (the visitor's browser asks for
English instead), then the crawl (english_crawl.py) opens every kind of page the role can reach: one URL
per shape, status tabs each, GET forms submitted as shown. On each page the visible text and the attributes
people read are searched for Han characters; what the database holds as user data (titles, descriptions,
names, notes, reasons) and the region names may stay, the interface's own words may not, even when stored
in a row. The failure lists what remains, grouped by text, most widespread first."""

from urllib.parse import urlencode

import pytest
from english_crawl import MARK, Allowance, allowance_from_database, crawl, findings, read_page, report
from sqlalchemy import func, or_, select

from marketplace.auth.models import AppUser
from marketplace.cli import load_reference_data
from marketplace.demo.seed import PASSWORD, seed_demo
from support import build_search_index, csrf_from, login

# role -> (account, extra pages a person reaches without a link: a QR code, a mistyped address)
ROLES = {
    "visitor": None,
    "staff": "staff@shanqiao.demo",  # 谯城区: need posting, registry import, organisation vetting
    "verifier": "verifier@shanqiao.demo",  # 谯城区: verification only
    "city": "city@shanqiao.demo",  # the city: every duty (accounts, rules)
    "charity": "charity@shanqiao.demo",  # administrator of an approved organisation
    "charity_member": "org01.member1@shanqiao.demo",  # a plain member of the same organisation
    "pending_org": "org18.member1@shanqiao.demo",  # administrator of an organisation awaiting vetting
    "suspended_org": "org20.member1@shanqiao.demo",  # administrator of a suspended organisation
    "volunteer": "volunteer@shanqiao.demo",
    "department": "dept.edu@shanqiao.demo",  # a government department's member: needs routed to it (分类推送)
}
PAGES_PER_ROLE = 120
VISITOR = {"Accept-Language": "en-GB,en;q=0.9"}
# A signed-in role's browser asks for Chinese: the account's choice of English must win.
MEMBER = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _english(client, email: str, engine) -> None:
    login(client, email, PASSWORD)
    token = csrf_from(client.get("/", headers=MEMBER))
    response = client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token}, headers=MEMBER)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    client.delete_cookie("lang")  # the account's setting alone
    with engine.connect() as conn:
        assert conn.execute(select(AppUser.locale).where(AppUser.email == email)).scalar_one() == "en"


def _extra_pages(engine, email: str | None) -> list[str]:
    """Pages no link leads to (a receipt's QR code, a mistyped address, the certificate check), searches with
    and without results, and one page for each state of the things the role sees: the same template says
    other things of a verified need, a rejected claim, a withdrawn pledge."""
    from marketplace.claims.models import Claim
    from marketplace.confirmation.models import DeliverySlip
    from marketplace.fulfilment.models import Fulfilment
    from marketplace.needs.models import Need
    from marketplace.pledges.models import Pledge

    def first_of_each(conn, model, *where) -> dict[str, int]:
        rows = conn.execute(select(model.status, func.min(model.id)).where(*where).group_by(model.status))
        return dict(rows.all())

    pages = ["/no-such-page", "/certificates", "/needs?q=zzqxv#none"]
    with engine.connect() as conn:
        ref = conn.execute(select(DeliverySlip.ref).order_by(DeliverySlip.id)).scalars().first()
        pages += [f"/receipts/{ref}"] if ref else []
        title = conn.execute(select(Need.title).where(Need.status == "open").order_by(Need.id)).scalars().first()
        pages.append(f"/needs?{urlencode({'q': title})}#results")
        user = conn.execute(select(AppUser).where(AppUser.email == email)).first() if email else None
        county = (user.region_code or "")[:6] if user and user.role == "staff" else "341602"
        county = county[:4] if county.endswith("00") else county  # the city: all its counties
        needs = first_of_each(conn, Need, Need.region_code.startswith(county))
        pages += [f"/needs/{i}#{status}" for status, i in needs.items()]
        if user is None:
            return pages
        pages.append("/account/reauth")
        if user.role == "staff":
            proofs = first_of_each(conn, Fulfilment, Fulfilment.need_id.in_(
                select(Need.id).where(Need.region_code.startswith(county))))
            pages += [f"/staff/verify/{i}#{status}" for status, i in proofs.items()]
        else:
            mine = Claim.claimant_id == user.id
            if user.organization_id:
                mine = or_(mine, Claim.organization_id == user.organization_id)
                pledges = first_of_each(conn, Pledge, Pledge.organization_id == user.organization_id)
                pages += [f"/my/pledges/{i}#{status}" for status, i in pledges.items()]
            pages += [f"/my/claims/{i}#{status}" for status, i in first_of_each(conn, Claim, mine).items()]
    return pages


def test_no_chinese_outside_user_data_on_any_page_of_any_role(app, engine):
    vault = app.extensions["marketplace.vault"]
    load_reference_data(app)  # as `marketplace demo` does: regions, duplicate rules, aid items, synonyms
    seed_demo(engine, vault, store=app.extensions["marketplace.storage"])
    build_search_index(app)  # as the demo runs: the needs list searches the index, with its facets
    data = allowance_from_database(engine, vault)
    allowance = Allowance(data.values, data.whole, data.tokens)
    crawls, not_english = {}, []
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            _english(client, email, engine)
        headers = MEMBER if email else VISITOR
        crawls[role] = crawl(client, ["/", *_extra_pages(engine, email)], headers, PAGES_PER_ROLE)
        not_english += [f"[{role}] {v.url} ({v.status}): <html lang={v.page.html_lang!r}>"
                        for v in crawls[role].visits if v.page.html_lang != "en"]
    for role, result in crawls.items():
        assert len(result.visits) >= 8, f"{role}: only {len(result.visits)} pages reached"
    found = findings({role: c.visits for role, c in crawls.items()}, allowance)
    broken = found or not_english or any(c.errors or c.left for c in crawls.values())
    if broken:
        pytest.fail(report(found, crawls, not_english, data), pytrace=False)


SNIPPET = """<!doctype html><html lang="en"><head><title>Needs · Shanqiao</title>
<meta name="description" content="帮扶需求一览"></head><body>
<nav aria-label="主导航"><a href="/needs">Needs</a></nav>
<h1>冬季棉被与棉衣</h1><p>亳州市 谯城区 · Urgent</p>
<p>孩子今年考入省内本科院校，学费…</p>
<p>5 台</p><p>5 件</p>
<form method="get" action="/needs"><input name="q" placeholder="Search"><select name="status">
<option value="">All</option><option value="open" selected>待认领</option></select>
<input type="submit" value="搜索"></form>
<script>var x = "脚本里的中文";</script><style>.a::after{content:"样式"}</style>
<footer><button lang="zh-CN">中文</button><span lang="zh"><b title="中文提示">简体</b></span></footer>
<img src="/static/x.png" alt="照片"><td data-label="回访次数">3</td>
</body></html>"""


def test_the_matcher_reports_interface_words_and_lets_user_data_through():
    allowance = Allowance(["冬季棉被与棉衣", "亳州市", "谯城区", "台",
                           "孩子今年考入省内本科院校，学费和住宿费合计约六千元。"], whole=["低保金", "物资"],
                          tokens=["轮椅", "助行器", "拐杖"])
    page = read_page(SNIPPET)
    assert page.html_lang == "en"
    assert "/needs" in page.links and "/needs?q=&status=open" in page.links  # the GET form, as shown
    texts = [text for text, _ in page.texts]
    assert "中文" not in texts and "简体" not in texts and "中文提示" not in texts  # lang="zh…" is Chinese on purpose
    assert not any("脚本" in t or "样式" in t for t in texts)
    reported = {allowance.residue(text): where for text, where in page.texts if allowance.residue(text)}
    assert reported == {
        "主导航": "aria-label@nav",
        "帮扶需求一览": "content@meta",
        "待认领": "text",
        "搜索": "value@input",
        "照片": "alt@img",
        "回访次数": "data-label@td",
        "5 件": "text",  # a unit nobody entered: the interface's
    }
    # User data, a place name, a title cut short, a unit after a number: nothing to report.
    for text in ("冬季棉被与棉衣", "亳州市 谯城区 · Urgent", "孩子今年考入省内本科院校，学费…", "5 台"):
        assert allowance.residue(text) is None, text
    # The interface around user data is reported, with the data shown as a placeholder.
    assert allowance.residue("冬季棉被与棉衣（待认领）") == f"{MARK}（待认领）"
    assert allowance.residue("孩子") == "孩子"  # a piece of a value is not the value
    assert allowance.residue("台 件") == "台 件"  # one character is allowed only alone
    # A key Chinese by design (an aid item's pattern) passes alone, and excuses nothing around it.
    assert allowance.residue("「低保金」") is None and allowance.residue("物资") is None
    assert allowance.residue("物资需求") == "物资需求"
    assert allowance.residue("轮椅 助行器 > 拐杖") is None and allowance.residue("轮椅 需求") == "轮椅 需求"


def test_interface_words_stored_in_the_database_are_not_user_data(app, engine, world, tx):
    """An expired need's history says 截止日期已过，无人认领 (the system wrote it); a hardship is vocabulary; a
    cancelled claim's reason carries the system's 需求已撤销： before the poster's words."""
    from datetime import date, timedelta

    from marketplace.needs import service as needs

    need = world.need("claimed", title="独居老人冬季棉被")
    world.need("open", title="过期的需求", deadline=date.today() + timedelta(days=1))
    with tx() as s:
        needs.expire_overdue(s, date.today() + timedelta(days=5))
        needs.cancel(s, world.user(s, world.poster), s.get(type(need), need.id), "家属已自行解决")
    load_reference_data(app)
    data = allowance_from_database(engine)
    assert "低保金" in data.whole and "低保金" not in data.values  # an aid item's pattern: only as a whole
    assert "轮椅" in data.tokens and "轮椅" not in data.values  # a synonym: only as a word of its own
    assert any("学费" in text for text in data.system_written["duplicate_rule.explanation"])  # N_-marked prose
    assert "独居老人冬季棉被" in data.values and "家属已自行解决" in data.values and "亳州市" in data.values
    assert "截止日期已过，无人认领" not in data.values
    assert "需求已撤销：家属已自行解决" not in data.values
    assert "需求已撤销：…" in data.system_written["claim.end_reason"]
    assert "截止日期已过，无人认领" in data.system_written["need_history.reason"]
