"""The search index as users meet it: what it finds, what it never holds, facet counts that agree with
the database, the database fallback, and updates that arrive through the outbox."""

import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from marketplace.needs.listing import nameable_townships
from marketplace.needs.models import Need
from marketplace.registry.models import Household
from marketplace.search import index as search_index
from marketplace.search.query import SearchQuery
from marketplace.search.service import search_needs
from support import build_search_index, run_worker_once

NAME, ID_NUMBER, PHONE, ADDRESS = "郑秀英", "341621195803150028", "13912345678", "楚店镇幸福路18号"

TEXTS = [
    ("accessibility", "retrofit", "urgent", "卫生间加装扶手与防滑地面", "老人行动不便，如厕需要扶手。"),
    ("accessibility", "goods", "normal", "轻便手动轮椅", "下肢残疾，出门就医需要一台轮椅。"),
    ("education", "money", "soon", "大一新生学费缺口", "考入省内大学，学费尚缺一部分。"),
    ("education", "money", "normal", "高中住宿费资助", "高二学生，住校费用有困难。"),
    ("care", "service", "urgent", "独居老人每周上门助浴", "八十岁独居老人，需要志愿者每周上门助浴照料。"),
    ("goods", "goods", "soon", "冬季取暖电暖器", "屋内寒冷，需要电暖器过冬。"),
    ("psychological", "service", "normal", "丧亲后的心理疏导", "家中突发变故，孩子情绪低落，需要心理疏导。"),
]


def _needs(world, region="341621100"):
    created = []
    for i, (category, form, urgency, title, description) in enumerate(TEXTS):
        tier = ("dibao", "marginal", "tekun")[i % 3]
        household = world.household(region_code=region, tier=tier)
        created.append(world.need("open", household=household, category=category, form=form, urgency=urgency,
                                  title=title, description=description))
    return created


def _search(app, **args):
    with app.test_request_context():
        from marketplace.db import db

        return search_needs(db(), SearchQuery.from_args(args), per_page=20)


def test_words_synonyms_and_filters_find_the_right_needs(app, world):
    _needs(world)
    build_search_index(app)
    result = _search(app, q="轮椅")
    assert result.source == "index"
    assert [n.title for n in result.needs] == ["轻便手动轮椅"]
    # A synonym finds the need that never says the word; every word of the query must match.
    assert {n.title for n in _search(app, q="助行器").needs} == {"轻便手动轮椅"}
    assert [n.title for n in _search(app, q="独居老人 助浴").needs] == ["独居老人每周上门助浴"]
    assert _search(app, q="独居老人 学费").total == 0
    # The category's label is searchable: 助学 finds both education needs though neither text says it.
    assert {n.title for n in _search(app, q="助学").needs} == {"大一新生学费缺口", "高中住宿费资助"}
    assert [n.title for n in _search(app, q="大学", category="education").needs] == ["大一新生学费缺口"]
    assert _search(app, q="大学", category="care").total == 0
    # Place names at every level the need may show.
    assert _search(app, q="涡阳县").total == len(TEXTS)


def test_sorts_put_the_most_pressing_first(app, world):
    _needs(world)
    build_search_index(app)
    titles = [n.title for n in _search(app, sort="urgency").needs]
    assert set(titles[:2]) == {"卫生间加装扶手与防滑地面", "独居老人每周上门助浴"}
    assert _search(app, sort="deadline").total == len(TEXTS)


def test_a_misspelt_query_suggests_the_closest_words(app, world):
    _needs(world)
    build_search_index(app)
    result = _search(app, q="轮倚")
    assert result.total == 0 and "轮椅" in result.suggestions


def test_facet_counts_equal_a_database_count(app, world, tx):
    _needs(world)
    _needs(world, region="341621101")
    for household in [world.household(region_code="341622100", tier="dibao") for _ in range(2)]:
        world.need("open", household=household, category="goods", form="goods", title="冬季棉被", description="过冬需要",
                   poster=world.city)
    world.need("claimed", household=world.household(region_code="341622100"), title="已认领的学费", description="学费",
               poster=world.city)
    build_search_index(app)
    result = _search(app)
    with tx() as s:
        rows = s.execute(select(Need.category, Need.form, Need.urgency, Need.region_code, Household.tier)
                         .join(Household, Household.id == Need.household_id).where(Need.status == "open")).all()
        townships = nameable_townships(s, {(r.region_code, r.tier) for r in rows})
    expected = {
        "category": Counter(r.category for r in rows), "form": Counter(r.form for r in rows),
        "urgency": Counter(r.urgency for r in rows), "tier": Counter(r.tier for r in rows),
        "county": Counter(r.region_code[:6] for r in rows),
        "township": Counter(townships[(r.region_code, r.tier)] for r in rows if townships[(r.region_code, r.tier)]),
    }
    assert {facet: Counter({v.value: v.count for v in values}) for facet, values in result.facets.items()} == expected
    assert result.total == len(rows) == 16
    # Townships are counted within a county, and only those k-anonymity lets a page name.
    for _ in range(5):
        world.household(region_code="341621100", tier="dibao")
    build_search_index(app)
    in_county = _search(app, county="341621")
    townships = {v.value: v.count for v in in_county.facets["township"]}
    assert townships == {"341621100": 3}  # the 3 dibao needs of 楚店镇; 高炉镇 has too few households
    assert {v.value for v in _search(app).facets["township"]} == set()  # two counties: choose one first
    assert [n.area for n in _search(app, township="341621100").needs] == ["涡阳县 · 楚店镇"] * 3
    # With a filter, each facet counts under the other filters (drill-down), its own left open.
    filtered = _search(app, category="education", county="341621")
    counts = {facet: {v.value: v.count for v in values} for facet, values in filtered.facets.items()}
    assert filtered.total == 4
    assert counts["category"] == {"care": 2, "education": 4, "accessibility": 4, "goods": 2, "psychological": 2}
    assert counts["county"] == {"341621": 4}  # 蒙城县 has no education need
    # The same numbers come back when the database answers instead.
    search_index.forget(Path(app.config["SEARCH_INDEX_DIR"]))
    os.rename(app.config["SEARCH_INDEX_DIR"], app.config["SEARCH_INDEX_DIR"] + ".away")
    fallback = _search(app, category="education", county="341621")
    assert fallback.source == "database"
    assert {f: {v.value: v.count for v in vs} for f, vs in fallback.facets.items()} == counts


def test_the_index_holds_no_private_field(app, world):
    household = world.household(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS, tier="dibao")
    world.need("open", household=household, title="卫生间加装扶手", description="老人行动不便，需要扶手。")
    build_search_index(app)
    path = Path(app.config["SEARCH_INDEX_DIR"])
    ix = search_index.open_index(path)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = [text.decode("utf-8") if isinstance(text, bytes) else str(text) for _, text in reader.all_terms()]
        stored = [str(fields) for fields in reader.all_stored_fields()]
    assert stored == ["{'id': '1'}"]  # the index stores nothing but the need's number
    everything = " ".join(terms)
    for secret in (NAME, ID_NUMBER, PHONE, "幸福路", ID_NUMBER[-6:], PHONE[-4:]):
        assert secret not in everything
    raw = b"".join(p.read_bytes() for p in path.iterdir() if p.is_file())
    for secret in (NAME, ID_NUMBER, PHONE, "幸福路"):
        assert secret.encode() not in raw
    assert "扶手".encode() in raw or any("扶手" in t or "扶" in t for t in terms)  # the scan reads real content


def test_a_missing_or_damaged_index_falls_back_to_the_database(app, client, world, caplog):
    _needs(world)
    build_search_index(app)
    assert "轻便手动轮椅" in client.get("/needs?q=轮椅").get_data(as_text=True)
    path = Path(app.config["SEARCH_INDEX_DIR"])
    for file in path.iterdir():
        if file.suffix in (".toc", ".seg"):
            file.write_bytes(b"\x00garbage")
    search_index.forget(path)
    with caplog.at_level(logging.WARNING, logger="marketplace.search.service"):
        damaged = client.get("/needs?q=轮椅")
    assert damaged.status_code == 200
    assert "轻便手动轮椅" in damaged.get_data(as_text=True) and "直接来自数据库" in damaged.get_data(as_text=True)
    assert "search index unavailable" in caplog.text
    for file in path.iterdir():
        file.unlink()
    path.rmdir()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="marketplace.search.service"):
        missing = client.get("/needs?q=轮椅&category=accessibility&sort=deadline")
    assert missing.status_code == 200 and "轻便手动轮椅" in missing.get_data(as_text=True)
    assert "no search index" in caplog.text
    # The worker rebuilds a missing index: it is derived data.
    run_worker_once(app)
    assert _search(app, q="轮椅").source == "index"


def test_changes_reach_the_index_through_the_outbox(app, world):
    first = _needs(world)
    build_search_index(app)
    new = world.need("open", household=world.household(), category="medical", form="money",
                     title="慢性病长期药费", description="糖尿病需要长期服药。")
    assert _search(app, q="药费").total == 0  # committed, but the worker has not run
    run_worker_once(app)
    assert [n.id for n in _search(app, q="药费").needs] == [new.id]
    # A cancelled need leaves the index; a claimed one is listed only when claimed needs are asked for.
    with world.tx() as s:
        from marketplace.needs import service as needs

        needs.cancel(s, world.user(s, world.poster), s.get(Need, first[1].id), "家庭情况已变化")
    world.need("claimed", household=world.household(), title="已认领的助浴", description="上门助浴")
    run_worker_once(app)
    assert _search(app, q="轮椅").total == 0
    assert _search(app, q="助浴").total == 1 and _search(app, q="助浴", claimed="1").total == 2


def test_a_running_worker_makes_a_change_searchable_within_five_seconds(app, world, database_url, tmp_path):
    _needs(world)
    build_search_index(app)
    env = dict(os.environ, MARKETPLACE_DATABASE_URL=database_url, MARKETPLACE_MAIL_SUPPRESS="1",
               MARKETPLACE_SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"])
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "worker", "--poll", "0.5"], env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        time.sleep(2)  # the worker is up and idle
        assert worker.poll() is None, log.read_text()
        new = world.need("open", household=world.household(), category="medical", form="money",
                         title="康复训练费用", description="中风后需要康复训练。")
        committed = time.monotonic()
        while time.monotonic() - committed < 5:
            if [n.id for n in _search(app, q="康复训练").needs] == [new.id]:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the new need was not searchable within 5 s of its commit")
    finally:
        worker.terminate()
        worker.wait(10)


def test_a_registry_import_reconsiders_which_townships_may_be_named(app, world, tx):
    household = world.household(region_code="341621101", tier="dibao")
    world.need("open", household=household, title="冬季棉被", description="过冬需要棉被")
    build_search_index(app)
    assert _search(app, township="341621101").total == 0  # one household: only the county may be shown
    with tx() as s:
        from marketplace.outbox.service import region_changed
        from marketplace.registry.service import add_household

        for _ in range(5):
            add_household(s, tier="dibao", region_code="341621101")
        region_changed(s, "341621")
    run_worker_once(app)
    assert _search(app, township="341621101").total == 1


def test_search_rebuild_command_reports_progress_and_swaps_the_index_in(app, world, database_url, monkeypatch,
                                                                         tmp_path):
    from click.testing import CliRunner

    from marketplace.cli import main

    _needs(world)
    world.need("draft", household=world.household(), title="草稿不进索引", description="草稿")
    target = tmp_path / "cli-index"
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_SEARCH_INDEX_DIR", str(target))
    result = CliRunner().invoke(main, ["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"indexed={len(TEXTS)}" in result.output and "重建检索索引" in result.output
    again = CliRunner().invoke(main, ["search", "rebuild"])
    assert again.exit_code == 0 and f"indexed={len(TEXTS)}" in again.output
    # No half-built or replaced directory is left behind.
    assert [p.name for p in target.parent.iterdir() if p.name.startswith("cli-index")] == ["cli-index"]


def test_an_index_of_another_version_is_not_used_but_rebuilt(app, world):
    _needs(world)
    build_search_index(app)
    path = Path(app.config["SEARCH_INDEX_DIR"])
    (path / search_index.VERSION_FILE).write_text("2-hybrid")  # built by an older release
    search_index.forget(path)
    assert _search(app, q="轮椅").source == "database"
    run_worker_once(app)
    assert _search(app, q="轮椅").source == "index"
