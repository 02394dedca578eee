"""The verification page: the need and the evidence side by side, the photos linking to the files, the
household's confirmation, the duplicate matches; approving passes `slip_checked` through."""

from datetime import date

from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.evidence import service as evidence_files
from marketplace.fulfilment.models import Fulfilment
from marketplace.ledger import service as ledger
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from support import login, post


def _submitted(world, form="money", **need):
    """A need with evidence submitted (World.need stages the required photos first) and its fulfilment."""
    n = world.need("submitted", form=form, **need)
    with world.tx() as s:
        f = s.scalars(select(Fulfilment).where(Fulfilment.need_id == n.id)).one()
        return n, f, s.get(Claim, f.claim_id)


def test_the_page_shows_need_and_evidence_side_by_side_with_photo_links(client, world):
    need, f, _ = _submitted(world, "retrofit", title="卫生间加装扶手")
    with world.tx() as s:
        files = evidence_files.review_files(s, claim=s.get(Claim, f.claim_id))
    assert {x.role for x in files} == {"before", "after"}
    login(client, "verifier@guoyang.gov.cn")
    page = client.get(f"/staff/verify/{f.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    side = html.index('class="side-by-side"')
    assert side < html.index('id="need-heading"') < html.index('id="evidence-heading"')
    assert "卫生间加装扶手" in html and "楚店镇" in html
    for row in files:
        assert f'href="/evidence-files/{row.id}"' in html and f'src="/evidence-files/{row.id}/thumb"' in html
    assert "隐藏原因" in html  # the verifier may hide a file with a reason
    # The retrofit's own figures, and none of the other forms'.
    assert "改造实际花费" in html and "3,000 元" in html and "验收方" in html and "受助方" in html
    assert "服务时长" not in html and "交付数量" not in html
    assert "未经受助方确认" in html
    assert f'action="/staff/verify/{f.id}/approve"' in html and f'action="/staff/verify/{f.id}/reject"' in html


def test_the_page_lists_the_households_aid_of_the_same_category(client, world):
    household = world.household()
    need, f, _ = _submitted(world, "money", household=household, category="education")
    with world.tx() as s:
        ledger.append(s, s.get(Household, household.id), source="government", category="education",
                      title="教育救助（秋季学期）", occurred_on=date.today(), amount_fen=150000)
    login(client, "verifier@guoyang.gov.cn")
    html = client.get(f"/staff/verify/{f.id}").get_data(as_text=True)
    matches = html[html.index('id="duplicates-heading"'):]
    assert "教育救助（秋季学期）" in matches and "政府" in matches and "1,500 元" in matches
    assert date.today().isoformat() in matches


def test_the_queue_links_each_row_to_its_page_and_others_are_refused(client, world, app):
    need, f, _ = _submitted(world)
    login(client, "verifier@guoyang.gov.cn")
    assert f'href="/staff/verify/{f.id}"' in client.get("/staff/verify").get_data(as_text=True)
    for email in ("member@charity.org.cn", "staff@mengcheng.gov.cn"):
        other = app.test_client()
        login(other, email)
        assert other.get(f"/staff/verify/{f.id}").status_code == 403, email


def test_approving_on_a_signed_slip_photo_needs_the_checkbox(client, world):
    from evidence_samples import jpeg

    n = world.need("in_progress", form="money")
    with world.tx() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == n.id)).one()
        charity = world.user(s, world.charity)
        world.attach_evidence(s, charity, s.get(Need, n.id), claim=claim)
        evidence_files.stage(s, charity, claim=claim, role="slip", filename="slip.jpg", data=jpeg(400, 300))
        from marketplace.fulfilment import service as fulfilment

        f = fulfilment.submit(s, charity, claim, fulfilment.EvidenceInput(
            delivered_on=date.today(), summary="学费已转入学校账户", amount_fen=300000))
    login(client, "verifier@guoyang.gov.cn")
    html = client.get(f"/staff/verify/{f.id}").get_data(as_text=True)
    assert "已核对签收回执照片" in html and 'name="slip_checked"' in html
    unchecked = post(client, f"/staff/verify/{f.id}/approve", page=f"/staff/verify/{f.id}")
    assert unchecked.status_code == 422
    checked = post(client, f"/staff/verify/{f.id}/approve", {"slip_checked": "y"}, page=f"/staff/verify/{f.id}")
    assert checked.status_code == 303
    with world.tx() as s:
        assert s.get(Fulfilment, f.id).confirmation == "slip" and s.get(Fulfilment, f.id).status == "verified"
