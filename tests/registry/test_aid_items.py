"""The 救助项目 table (aid_items/): imported items are filed by it, items it does not cover are counted
and listed for mapping, and mapping one re-files its entries through corrections, inside the mapper's
region only, with every chain still intact."""

import csv
import io
import time

import pytest
from sqlalchemy import select

from marketplace.aid_items import service
from marketplace.errors import Forbidden
from marketplace.ledger import effective
from marketplace.ledger.models import AidItem, LedgerEntry
from marketplace.ledger.service import first_break
from marketplace.registry.importing import import_aid
from marketplace.security.log import detail_text
from marketplace.security.models import SecurityEvent
from support import login, post

GUOYANG, GUOYANG2, MENGCHENG = "341621000000001", "341621000000002", "341622000000001"


@pytest.fixture
def households(world):
    return {no: world.household(region_code=region, household_no=no).id
            for no, region in ((GUOYANG, "341621100"), (GUOYANG2, "341621101"), (MENGCHENG, "341622100"))}


@pytest.fixture
def aid_file(tmp_path):
    def write(rows, name="aid.csv"):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["户编号", "救助项目", "金额", "发放日期"])
            writer.writerows(rows)
        return path

    return write


def _import(engine, world, path, **kw):
    return import_aid(engine, world.vault, path, actor_id=world.poster, **kw)


def _effective(world, household_id):
    with world.tx() as s:
        return sorted((e.category, e.item_key, e.amount_fen) for e in s.scalars(
            effective.effective_entries(LedgerEntry.household_id == household_id)))


def _item(world, pattern):
    with world.tx() as s:
        row = s.scalars(select(AidItem).where(AidItem.pattern == pattern)).first()
        return row and (row.category, row.goods_kind, row.origin, row.seen)


def test_the_national_items_are_filed_by_the_table(engine, world, households, aid_file):
    result = _import(engine, world, aid_file([
        [GUOYANG, "低保金", "628", "2026-01-15"], [GUOYANG, "特困供养金", "900", "2026-01-15"],
        [GUOYANG, "居家适老化改造补贴", "3000", "2025-06-01"], [GUOYANG, "冬季取暖补贴", "300", "2025-12-01"]]))
    assert result.summary() == "imported=4 updated=0 unchanged=0 rejected=0"
    assert _effective(world, households[GUOYANG]) == [
        ("accessibility", None, 300000), ("basic_living", None, 62800), ("basic_living", None, 90000),
        ("goods", "取暖", 30000)]
    assert _item(world, "低保金") == ("basic_living", None, "default", 1)  # counted as it filed a payment


def test_unmapped_items_are_counted_in_the_summary_and_listed_first(engine, world, households, aid_file):
    path = aid_file([[GUOYANG, "春节慰问金", "500", "2026-01-20"], [GUOYANG2, "春节 慰问金", "500", "2026-01-20"],
                     [GUOYANG, "低保金", "628", "2026-01-15"]])
    dry = _import(engine, world, path, dry_run=True)
    assert dry.summary() == "imported=3 updated=0 unchanged=0 rejected=0 unmapped=2"
    assert _item(world, "春节慰问金") is None  # a dry run writes nothing, not even the list
    result = _import(engine, world, path)
    assert result.summary() == "imported=3 updated=0 unchanged=0 rejected=0 unmapped=2"
    assert result.unmapped_items == {"春节慰问金"}
    assert "2条发放记录的救助项目（1项）尚未映射" in result.unmapped_note()
    assert _item(world, "春节慰问金") == (None, None, "import", 2)
    assert _effective(world, households[GUOYANG]) == [("basic_living", None, 62800), ("other", None, 50000)]
    again = _import(engine, world, path)
    assert again.summary() == "imported=0 updated=0 unchanged=3 rejected=0"
    assert _item(world, "春节慰问金")[3] == 2
    with world.tx() as s:
        listed = service.listing(s)
    assert (listed[0].pattern, listed[0].category, listed[0].seen) == ("春节慰问金", None, 2)
    assert all(i.category for i in listed[1:])


def test_mapping_an_item_refiles_its_entries_through_corrections_in_the_mappers_region(
        engine, world, households, aid_file):
    _import(engine, world, aid_file([[GUOYANG, "春节慰问金", "500", "2026-01-20"],
                                     [GUOYANG2, "春节 慰问金", "500", "2026-01-20"],
                                     [MENGCHENG, "春节慰问金", "500", "2026-01-20"]]))
    with world.tx() as s:
        originals = {e.id: (e.category, e.entry_hash) for e in s.scalars(select(LedgerEntry))}
        saved = service.save_item(s, world.user(s, world.poster), "春节慰问金", category="basic_living",
                                  goods_kind="")
        assert (saved.refiled.done, saved.refiled.remaining) == (2, 0)
    with world.tx() as s:
        entries = list(s.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))
        assert {e.id: (e.category, e.entry_hash) for e in entries if e.id in originals} == originals  # never edited
        added = [e for e in entries if e.id not in originals]
        assert [(e.kind, e.category, e.amount_fen, e.corrects_id in originals, e.title) for e in added] == \
            [("correction", "basic_living", 50000, True, "更正：春节慰问金"),
             ("correction", "basic_living", 50000, True, "更正：春节 慰问金")]
        assert "归入基本生活" in added[0].note and "原为其他" in added[0].note
        assert first_break(s) is None
    assert _effective(world, households[GUOYANG]) == [("basic_living", None, 50000)]
    assert _effective(world, households[MENGCHENG]) == [("other", None, 50000)]  # 蒙城 is not 涡阳's to re-file
    assert _item(world, "春节慰问金")[:3] == ("basic_living", None, "import")
    with world.tx() as s:
        assert service.save_item(s, world.user(s, world.poster), "春节慰问金", category="basic_living",
                                 goods_kind=None).refiled.done == 0  # nothing differs any more
        assert service.save_item(s, world.user(s, world.other_county), "春节慰问金", category="basic_living",
                                 goods_kind=None).refiled.done == 1
    assert _effective(world, households[MENGCHENG]) == [("basic_living", None, 50000)]
    with world.tx() as s:
        assert first_break(s) is None


def test_re_mapping_refiles_the_corrected_line_and_a_longer_pattern_keeps_its_items(
        engine, world, households, aid_file):
    _import(engine, world, aid_file([[GUOYANG, "春节慰问金", "500", "2026-01-20"],
                                     [GUOYANG, "困难职工慰问金", "800", "2026-01-21"]]))
    with world.tx() as s:
        poster = world.user(s, world.poster)
        assert service.save_item(s, poster, "春节慰问金", category="basic_living", goods_kind=None).refiled.done == 1
        # A shorter pattern: 困难职工慰问金 is re-filed, 春节慰问金 stays with its own, longer, pattern.
        assert service.save_item(s, poster, "慰问金", category="psychological", goods_kind=None).refiled.done == 1
        # Re-mapping again corrects the latest correction of the line, not the original.
        assert service.save_item(s, poster, "春节慰问金", category="goods", goods_kind="衣物").refiled.done == 1
    assert _effective(world, households[GUOYANG]) == [("goods", "衣物", 50000), ("psychological", None, 80000)]
    with world.tx() as s:
        assert first_break(s) is None


def test_only_county_staff_with_the_rules_duty_map_items_and_every_attempt_is_logged(world):
    limited = world.staff("nodury@guoyang.gov.cn", duties=["need_posting"])
    with world.tx() as s:
        for user_id in (world.township_staff, limited):
            with pytest.raises(Forbidden):
                service.save_item(s, world.user(s, user_id), "春节慰问金", category="basic_living", goods_kind=None)
        with pytest.raises(Exception, match="物资种类"):
            service.save_item(s, world.user(s, world.poster), "春节慰问金", category="care", goods_kind="取暖")
        service.save_item(s, world.user(s, world.poster), "春节慰问金", category="basic_living", goods_kind=None)
    with world.tx() as s:
        events = [(e.outcome, e.detail.get("aid_item")) for e in s.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "rules.change").order_by(SecurityEvent.id))]
    assert events[-1] == ("ok", "春节慰问金") and ("failed", "春节慰问金") in events
    with world.tx() as s:
        last = s.scalars(select(SecurityEvent).order_by(SecurityEvent.id.desc())).first()
        assert detail_text(last.detail) == "类别：基本生活；救助项目：春节慰问金；物资种类：不适用；重新归类记录：0；待归类记录：0"


def test_the_staff_page_lists_unmapped_items_and_maps_one(client, engine, world, households, aid_file):
    _import(engine, world, aid_file([[GUOYANG, "春节慰问金", "500", "2026-01-20"]]))
    login(client, "poster@guoyang.gov.cn")
    body = client.get("/staff/aid-items").get_data(as_text=True)
    assert "有 1 个救助项目尚未映射" in body and body.index("春节慰问金") < body.index("低保金")
    assert 'href="/staff/aid-items"' in client.get("/").get_data(as_text=True)
    form = client.get("/staff/aid-items?pattern=春节慰问金").get_data(as_text=True)
    assert 'value="春节慰问金"' in form
    response = post(client, "/staff/aid-items", {"pattern": "春节慰问金", "category": "basic_living", "goods_kind": ""},
                    page="/staff/aid-items")
    assert response.status_code == 303
    page = client.get("/staff/aid-items").get_data(as_text=True)
    assert "本辖区重新归类 1 条救助记录" in page and "尚未映射" not in page
    bad = post(client, "/staff/aid-items", {"pattern": "春节慰问金", "category": "care", "goods_kind": "取暖"},
               page="/staff/aid-items")
    assert bad.status_code == 422 and "只有生活物资类的救助项目才填写物资种类" in bad.get_data(as_text=True)


def test_others_get_403_on_the_page(client, world):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/aid-items").status_code == 403
    township = client.application.test_client()
    login(township, "chudian@guoyang.gov.cn")
    assert "只能由县级及以上" in township.get("/staff/aid-items").get_data(as_text=True)
    response = post(township, "/staff/aid-items", {"pattern": "春节慰问金", "category": "basic_living", "goods_kind": ""},
                    page="/staff/aid-items")
    assert response.status_code == 403
    with world.tx() as s:
        assert s.scalars(select(AidItem).where(AidItem.pattern == "春节慰问金")).first() is None


def test_an_uploaded_aid_file_names_its_unmapped_items_count_and_links_to_the_table(client, world, households):
    login(client, "poster@guoyang.gov.cn")
    data = f"户编号,救助项目,金额,发放日期\n{GUOYANG},春节慰问金,500,2026-01-20\n{GUOYANG},低保金,628,2026-01-15\n"
    response = post(client, "/staff/imports", {"kind": "aid", "file": (io.BytesIO(data.encode()), "发放.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    response.close()
    deadline = time.monotonic() + 20
    while "every 1s" in (fragment := client.get(job_url, headers={"HX-Request": "true"}).get_data(as_text=True)):
        assert time.monotonic() < deadline, "import did not finish in 20 s"
        time.sleep(0.2)
    assert "1条发放记录的救助项目（1项）尚未映射" in fragment and 'href="/staff/aid-items"' in fragment


def test_a_pattern_with_an_identifier_is_refused(world):
    from marketplace.errors import Invalid

    with world.tx() as s, pytest.raises(Invalid, match="救助项目"):
        service.save_item(s, world.user(s, world.poster), "慰问金 13912345678", category="other", goods_kind=None)
