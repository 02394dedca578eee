"""The assistance chain, the duplicate rules and the aid-item table in English, as the staff who use them
read them: headings, labels, the timeline's own words and form errors in English; data (titles, notes,
place names, the aid items themselves) as written; what is stored (a correction's title, the security
log's reason) still in Chinese."""

from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.duplicates.check import DuplicateWarning, Match
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.service import append
from marketplace.registry.models import Household
from marketplace.security.models import SecurityEvent
from support import login, post


def _english(tx, user_id) -> None:
    with tx() as s:
        s.get(AppUser, user_id).locale = "en"


def _government(world, household, on, title, category="medical", amount_fen=62800):
    with world.tx() as s:
        return append(s, s.get(Household, household.id), source="government", category=category, title=title,
                      amount_fen=amount_fen, occurred_on=on)


def test_the_chain_page_and_its_corrections_read_in_english(client, world, tx):
    household = world.household()
    paid = _government(world, household, date(2026, 2, 1), "大病医疗救助")
    world.need("claimed", household=household, title="冬季棉被两床", category="goods", form="goods")
    _english(tx, world.poster)
    login(client, "poster@guoyang.gov.cn")
    url = f"/staff/households/{household.public_code}"
    page = client.get(url).get_data(as_text=True)
    assert f"Assistance chain · {household.public_code}" in page
    assert "Aid records (newest first)" in page and "Correct an aid entry" in page and "Household members" in page
    assert "1 Feb 2026" in page and "Government aid" in page and "Medical and rehabilitation" in page
    assert "涡阳县慈善协会 (member) claimed \u201c冬季棉被两床\u201d" in page and "Status: Claimed" in page
    assert "Entry no. 1" in page and "Append correction" in page
    missing = post(client, f"{url}/corrections", {"entry_id": paid.id, "reason": ""}, page=url)
    assert missing.status_code == 422 and "Enter the reason for the correction." in missing.get_data(as_text=True)
    done = post(client, f"{url}/corrections", {"entry_id": paid.id, "amount": "500", "reason": "发票金额有误"},
                page=url)
    assert done.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "A correction was appended to the assistance chain (entry no. 2)" in page
    assert "Corrects entry no. 1 (1 Feb 2026 大病医疗救助, was ¥628). Reason: 发票金额有误" in page
    assert "Corrected by entry no. 2." in page
    with tx() as s:
        fix = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 2)).one()
    assert post(client, f"{url}/corrections", {"entry_id": fix.id, "void": "y", "reason": "重复登记"},
                page=url).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Void: 大病医疗救助" in page and "Voided by entry no. 3." in page
    with tx() as s:  # the stored title keeps its Chinese prefix, which corrections read back
        assert s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 3)).one().title == "作废：大病医疗救助"
    bad_date = client.get(f"{url}?from=2026-02-30")
    assert bad_date.status_code == 422 and "Dates must be written YYYY-MM-DD: 2026-02-30" in bad_date.get_data(
        as_text=True)


def test_the_duplicate_rules_in_english_and_a_refusal_logged_in_chinese(client, world, tx):
    _english(tx, world.poster)
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/rules").get_data(as_text=True)
    assert "Duplicate rules" in body and "1826 days" in body and "Change a rule" in body
    assert "The same item (e.g. an electric heater, a quilt) is given once in 90 days" in body
    assert "Once per household within the time window" in body and "Save the Daily necessities rule" in body
    data = {"goods-kind": "item_window", "goods-window_days": "", "goods-active": "y",
            "goods-explanation": "试点县：同一物品60天内只发放一次。"}
    refused = post(client, "/staff/rules/goods", data, page="/staff/rules")
    assert refused.status_code == 422
    assert "This rule type needs a time window of 1 to 3660 days." in refused.get_data(as_text=True)
    with tx() as s:
        event = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "rules.change")).one()
    assert event.outcome == "failed" and event.detail["reason"] == "该规则类型须填写1至3660天的时间窗口。"
    saved = post(client, "/staff/rules/goods", dict(data, **{"goods-window_days": "60"}), page="/staff/rules")
    assert saved.status_code == 303
    page = client.get("/staff/rules").get_data(as_text=True)
    assert "Duplicate rule saved." in page and "试点县" in page  # a staff member's explanation as written


def test_the_aid_item_table_in_english(client, world, tx):
    _english(tx, world.poster)
    login(client, "poster@guoyang.gov.cn")
    page = client.get("/staff/aid-items").get_data(as_text=True)
    assert "Map or change an aid item" in page and "Save and re-file" in page and "Goods kind" in page
    assert "Heating" in page and "Not applicable" in page and "低保金" in page  # the patterns are data
    bad = post(client, "/staff/aid-items", {"pattern": "春节慰问金", "category": "care", "goods_kind": "取暖"},
               page="/staff/aid-items")
    assert bad.status_code == 422
    assert "Only aid items in the \u201cDaily necessities\u201d category take a goods kind." in bad.get_data(
        as_text=True)
    with tx() as s:
        event = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "rules.change")).one()
    assert event.detail["reason"] == "只有生活物资类的救助项目才填写物资种类。"
    done = post(client, "/staff/aid-items", {"pattern": "春节慰问金", "category": "basic_living", "goods_kind": ""},
                page="/staff/aid-items")
    assert done.status_code == 303
    page = client.get("/staff/aid-items").get_data(as_text=True)
    assert "Aid item \u201c春节慰问金\u201d saved; 0 aid records in your area were re-filed" in page
    assert "Added by staff" in page


def test_a_possible_duplicate_is_described_in_the_readers_language(app):
    matches = [Match("冬季棉被", "goods", False, date(2026, 1, 5), source="charity", provider="涡阳县慈善协会",
                     entry_id=1),
               Match("电暖器", "goods", False, date(2026, 1, 1), source="government", member_ref="M2", entry_id=2),
               Match("助学金", "education", False, date(2026, 3, 1), start=date(2026, 2, 1), end=date(2026, 7, 1),
                     source="open", need_id=3)]
    chinese = ("该户已有可能重复的帮扶：2026-01-05 涡阳县慈善协会「冬季棉被 · 生活物资」；2026-01-01 政府（M2）「电暖器 · 生活物资」；"
               "2026-02-01至2026-07-01 本平台需求（待认领）「助学金 · 助学」。如确需发布，请填写一事一议理由。")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = DuplicateWarning(matches).message
        with force_locale("zh_CN"):  # text kept in the database is written in Chinese
            assert DuplicateWarning(matches).message == chinese
    assert english == ("This household already has aid that may be a duplicate: 5 Jan 2026 涡阳县慈善协会 "
                       "\u201c冬季棉被 · Daily necessities\u201d; 1 Jan 2026 Government (M2) \u201c电暖器 · Daily "
                       "necessities\u201d; 1 Feb 2026 to 1 Jul 2026 Need on this platform (Open) \u201c助学金 · "
                       "Education\u201d. If you still need to post, give a case-by-case reason.")
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert DuplicateWarning(matches).message == chinese
