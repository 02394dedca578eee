"""The household page: one timeline of aid, needs and claims, filterable, with corrections by staff."""

from datetime import date

from sqlalchemy import func, select

from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append, first_break
from marketplace.registry.models import AccessLog, Household
from support import login, post


def _government(world, household, on, title, category="other", amount_fen=62800):
    with world.tx() as s:
        return append(s, s.get(Household, household.id), source="government", category=category, title=title,
                      amount_fen=amount_fen, occurred_on=on)


def _timeline(page: str) -> str:
    """The timeline alone: the correction form further down lists the entries too."""
    return page.split('id="timeline"')[1].split('id="correct-h"')[0]


def test_timeline_combines_entries_needs_and_claims_newest_first(client, world):
    household = world.household()
    _government(world, household, date(2025, 12, 1), "城乡低保金")
    world.need("verified", household=household)
    world.need("claimed", household=household, title="冬季棉被两床", category="goods", form="goods")
    login(client, "verifier@guoyang.gov.cn")
    response = client.get(f"/staff/households/{household.public_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    timeline = _timeline(body)
    # Today's claim and entry come before last December's allowance.
    assert timeline.index("认领了「冬季棉被两床」") < timeline.index("城乡低保金")
    assert "发布需求" in timeline and "涡阳县慈善协会" in timeline and "已认领" in timeline
    assert timeline.index("大一新生学费缺口") < timeline.index("城乡低保金")


def test_filters_by_category_and_period_with_an_htmx_fragment(client, world):
    household = world.household()
    _government(world, household, date(2025, 12, 1), "城乡低保金")
    _government(world, household, date(2026, 2, 1), "大病医疗救助", category="medical")
    world.need("verified", household=household)
    login(client, "verifier@guoyang.gov.cn")
    url = f"/staff/households/{household.public_code}"
    medical = _timeline(client.get(f"{url}?category=medical").get_data(as_text=True))
    assert "大病医疗救助" in medical and "城乡低保金" not in medical and "大一新生学费缺口" not in medical
    winter = client.get(f"{url}?from=2025-11-01&to=2026-01-31", headers={"HX-Request": "true"})
    body = winter.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="timeline"') and "<html" not in body
    assert "城乡低保金" in body and "大病医疗救助" not in body
    assert "HX-Request" in winter.headers["Vary"]
    assert client.get(f"{url}?from=2026-02-30").status_code == 422
    with world.tx() as s:  # every view, filtered or refused, is in the access log
        assert s.scalar(select(func.count()).select_from(AccessLog)) == 3


def test_staff_record_a_correction_on_the_page(client, world):
    household = world.household()
    paid = _government(world, household, date(2026, 2, 1), "大病医疗救助", category="medical")
    login(client, "poster@guoyang.gov.cn")
    url = f"/staff/households/{household.public_code}"
    missing = post(client, f"{url}/corrections", {"entry_id": paid.id, "reason": ""}, page=url)
    assert missing.status_code == 422 and "请填写更正原因" in missing.get_data(as_text=True)
    done = post(client, f"{url}/corrections", {"entry_id": paid.id, "amount": "500", "reason": "发票金额有误"},
                page=url)
    assert done.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "更正第 1 条" in page and "原金额 628 元" in page and "发票金额有误" in page and "已被第 2 条更正" in page
    assert f'<option value="{paid.id}"' not in page  # a corrected entry is not offered again
    with world.tx() as s:
        original, fix = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert original.amount_fen == 62800 and (fix.kind, fix.corrects_id, fix.amount_fen) == ("correction", paid.id, 50000)
        assert first_break(s) is None
    void = post(client, f"{url}/corrections", {"entry_id": fix.id, "void": "y", "reason": "重复登记"}, page=url)
    assert void.status_code == 303
    assert "作废：大病医疗救助" in client.get(url).get_data(as_text=True)


def test_corrections_only_by_staff_of_the_region(client, world):
    household = world.household()
    paid = _government(world, household, date(2026, 2, 1), "大病医疗救助", category="medical")
    login(client, "staff@mengcheng.gov.cn")
    response = post(client, f"/staff/households/{household.public_code}/corrections",
                    {"entry_id": paid.id, "void": "y", "reason": "重复登记"}, page="/staff/households")
    assert response.status_code == 403
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1
