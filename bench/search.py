"""Need-search benchmark (issue 5): 200,000 indexed needs, Whoosh against SQLite FTS5 (trigram).

    .venv/bin/python bench/search.py [--needs 200000] [--procs 1,2] [--repeat 5]
                                     [--database-url postgresql+psycopg://...]

Builds a fresh database migrated with Alembic (a temporary SQLite file unless --database-url is given;
that database's schema is dropped and rebuilt) over a region tree of five Anhui prefectures (the 亳州
demo townships plus synthetic townships of four more), with registry households of every tier (so
k-anonymity lets most needs name their township) and open/claimed needs whose Chinese texts are composed
from many fragments and from the labelled corpus of tests/search/relevance_set.py, with bulk inserts
rather than the services. Then:

1. times the full rebuild (`SearchSync.rebuild`) in a child process per --procs value (own peak RSS),
   with the index size on disk;
2. times `engine.run` (text match, facet counts of all six facets, page of 20) for one- to three-word
   queries, plain, with a category filter, and sorted by deadline; and the whole `search_needs` (with
   the database projection of the page) inside an app context;
3. times the same queries on SQLite FTS5 (trigram) over the same needs, with and without GROUP BY facet
   counts: words of three or more characters through MATCH, shorter ones through LIKE '%word%' (which
   the trigram index cannot accelerate);
4. computes recall@10 of both on the labelled set (the corpus indexed as needs through the real code).

Targets: engine.run p95 <= 30 ms (plain queries with facets), full rebuild <= 120 s; exits 1 if missed.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchlib import fresh_database, load_relevance_set

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 30.0
TARGET_REBUILD_S = 120.0
CHUNK = 20_000
TODAY = date.today()
PER_PAGE = 20

# Prefectures: 亳州 with its demo townships, and four more with synthetic townships in their real counties.
OTHER_PREFECTURES = ("3412", "3413", "3406", "3415")
TIERS = (("dibao", 45), ("tekun", 10), ("marginal", 20), ("rigid_expense", 8), ("monitored", 12), ("other", 5))
TOWN_CHARS = "王张李刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚" \
             "卢傅钟崔汪范陆金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
PLACE_CHARS = "东西南北新老大小双三五八十里集店庄桥河湾岗楼寺沟圩湖塘坝营寨铺堡台岭山口圪陵"

# Background: who the need is for, and why they cannot manage alone.
WHO = ("独居老人", "高龄老人", "空巢老人", "失能老人", "孤寡老人", "八旬老人", "七旬老人", "残疾人", "重度残疾人",
       "肢体残疾人", "视力残疾人", "听力残疾人", "精神残疾人", "智力残疾人", "留守儿童", "困境儿童", "孤儿", "单亲母亲",
       "单亲父亲", "低保户", "特困人员", "大学新生", "在校大学生", "高中生", "初中生", "小学生", "重病患者", "老两口",
       "失独老人", "五保老人", "退役军人", "残疾儿童", "瘫痪老人", "失业人员", "务工返乡人员")
ILLNESS = ("高血压", "糖尿病", "尿毒症", "白血病", "脑梗", "中风", "肺癌", "乳腺癌", "胃癌", "肝硬化", "冠心病", "心梗",
           "类风湿", "癫痫", "精神分裂症", "抑郁症", "阿尔茨海默病", "白内障", "青光眼", "腰椎间盘突出", "骨折", "烧伤",
           "脑瘫", "自闭症", "慢阻肺", "哮喘", "肾衰竭", "帕金森病", "股骨头坏死", "先天性心脏病")
REASON = ("子女在外地务工", "配偶早年去世", "家中无劳动力", "因病致贫", "因残致贫", "收入微薄", "无固定收入",
          "常年卧床", "行动不便", "生活不能自理", "父母离异", "父亲服刑", "母亲改嫁", "家中欠债较多", "房屋年久失修",
          "今年遭遇洪涝", "种地收入有限", "长期服药", "仅靠低保金生活", "子女尚在读书")
# What is asked for, per category: (title core, item for the need sentence, form).
ASKS = {
    "care": (("上门助浴", "上门助浴服务", "service"), ("每日送餐", "送餐上门", "service"), ("日常照料", "生活照料", "service"),
             ("定期探访", "志愿者定期探访", "service"), ("居家看护", "日间看护", "service"), ("打扫卫生", "上门保洁", "service"),
             ("就医陪诊", "陪诊服务", "service"), ("夜间看护", "夜间陪护", "service"), ("上门理发", "理发和修剪指甲", "service"),
             ("助餐服务", "助餐点午餐配送", "service"), ("术后照顾", "短期上门照顾", "service"),
             ("护理用品", "成人纸尿裤和护理垫", "goods"), ("防走失手环", "防走失定位手环", "goods")),
    "education": (("学费资助", "学费", "money"), ("生活费补助", "每月生活费", "money"), ("学习用品", "书包和文具", "goods"),
                  ("课后辅导", "课后作业辅导", "service"), ("冬季校服", "冬季校服和棉鞋", "goods"),
                  ("住宿费", "住宿费", "money"), ("上学交通费", "往返交通费", "money"), ("学习电脑", "一台学习用电脑", "goods"),
                  ("助学金", "助学金", "money"), ("营养午餐", "在校营养午餐费用", "money")),
    "accessibility": (("轮椅", "一辆轻便轮椅", "goods"), ("助行器", "助行器", "goods"), ("拐杖", "四脚拐杖", "goods"),
                      ("卫生间扶手", "卫生间安装扶手", "retrofit"), ("无障碍坡道", "门口修建无障碍坡道", "retrofit"),
                      ("护理床", "一张多功能护理床", "goods"), ("助听器", "一副助听器", "goods"),
                      ("坐便椅", "坐便椅", "goods"), ("防滑地面", "铺设防滑地砖", "retrofit"),
                      ("适老化改造", "居家适老化改造", "retrofit"), ("盲杖", "盲杖和读屏手机", "goods")),
    "medical": (("药费补助", "长期药费", "money"), ("透析费用", "每周透析费用", "money"), ("手术费用", "手术费用", "money"),
                ("康复训练", "康复训练", "service"), ("制氧机", "一台家用制氧机", "goods"), ("血糖仪", "血糖仪和试纸", "goods"),
                ("住院押金", "住院押金", "money"), ("配镜", "一副眼镜", "goods"), ("假肢", "假肢安装费用", "money"),
                ("化疗费用", "化疗费用", "money"), ("康复理疗", "上门康复理疗", "service")),
    "housing": (("危房改造", "危房改造", "retrofit"), ("屋顶漏雨", "屋顶防水维修", "retrofit"),
                ("电线老化", "更换老化电线", "retrofit"), ("门窗更换", "更换破损门窗", "retrofit"),
                ("墙体开裂", "加固开裂墙体", "retrofit"), ("厨房改造", "改造厨房灶台", "retrofit"),
                ("厕所改造", "改建室内厕所", "retrofit"), ("房屋修缮", "房屋修缮", "retrofit")),
    "employment": (("技能培训", "职业技能培训", "service"), ("就业岗位", "就近就业岗位", "service"),
                   ("创业资金", "小额创业资金", "money"), ("公益岗位", "公益性岗位", "service"),
                   ("电商培训", "农村电商培训", "service"), ("养殖技术", "养殖技术指导", "service"),
                   ("务工介绍", "外出务工介绍", "service")),
    "psychological": (("心理疏导", "心理疏导", "service"), ("陪伴聊天", "志愿者陪伴聊天", "service"),
                      ("精神慰藉", "精神慰藉", "service"), ("心理咨询", "专业心理咨询", "service"),
                      ("哀伤辅导", "哀伤辅导", "service"), ("亲子沟通", "亲子沟通指导", "service")),
    "goods": (("棉被", "两床棉被", "goods"), ("电暖器", "一台电暖器", "goods"), ("冬衣", "冬衣和棉鞋", "goods"),
              ("大米食用油", "大米和食用油", "goods"), ("洗衣机", "一台洗衣机", "goods"), ("冰箱", "一台冰箱", "goods"),
              ("取暖煤炭", "过冬取暖煤炭", "goods"), ("热水器", "一台热水器", "goods"), ("床和床垫", "一张床和床垫", "goods"),
              ("过冬物资", "过冬物资", "goods")),
    "emergency": (("火灾临时救助", "临时生活救助", "money"), ("车祸急难救助", "治疗费用", "money"),
                  ("突发重病", "住院费用", "money"), ("暴雨受灾", "食品和被褥", "goods"), ("丧葬费", "丧葬费用", "money"),
                  ("冰雹灾害", "临时生活补助", "money"), ("临时安置", "临时安置住所", "service"),
                  ("意外烫伤", "植皮手术费用", "money")),
    "other": (("法律援助", "法律援助", "service"), ("办理证件", "协助办理残疾证", "service"),
              ("智能手机教学", "智能手机使用教学", "service"), ("家电维修", "上门维修家电", "service"),
              ("代办材料", "代办低保复核材料", "service"), ("防诈骗宣传", "防诈骗知识讲解", "service"),
              ("农忙帮工", "农忙时帮收庄稼", "service")),
}
CATEGORY_WEIGHTS = (("care", 18), ("education", 14), ("accessibility", 8), ("medical", 16), ("housing", 8),
                    ("employment", 6), ("psychological", 4), ("goods", 16), ("emergency", 6), ("other", 4))
PREFIXES = ("", "", "", "经社区走访核实，", "村委会反映：", "网格员入户了解到，", "社工站转介：", "经乡镇审核，",
            "据邻居反映，", "民政专干上门核实，")
SUFFIXES = ("", "", "", "家庭已纳入低保。", "申请人同意公开匿名需求信息。", "情况已入户核实。", "希望尽快得到帮助。",
            "该户为低保边缘家庭。", "家中另有老人需要赡养。", "欢迎爱心组织认领。", "村里已先行垫付部分费用。")
ASK_SENTENCES = ("现需要{item}，", "希望获得{item}，", "急需{item}，", "申请{item}，", "盼望有爱心人士提供{item}，")
COST_SENTENCES = ("预计费用约{amount}元。", "尚缺{amount}元。", "家庭自筹后仍差{amount}元。", "", "")
# Queries people type, besides the labelled ones: common words, places, and rarer specific items.
EXTRA_QUERIES = ("老人", "儿童", "残疾人", "学费", "医疗费", "低保", "康复", "取暖 棉被", "独居 老人 送餐", "涡阳县 老人",
                 "蒙城县 助学", "谯城区 轮椅", "白内障 手术", "危房 改造", "留守儿童 辅导", "冬季 取暖", "心理",
                 "高龄 老人 看护", "大学 学费 资助", "尿毒症 透析", "护理床", "电暖器", "助听器 老人", "假肢",
                 "血糖仪", "自闭症", "大米 食用油", "失业 培训", "住院 押金", "电线 老化", "服务", "助学 小学生",
                 "阜南县 棉被", "帕金森病", "特困 老人 理发")


def region_tree(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Townships (code, name, level, parent): 亳州's demo ones and 14-24 synthetic ones per other county."""
    from marketplace.regions.bozhou import REGIONS
    from marketplace.regions.national import national_rows

    rows = [r for r in REGIONS if r[2] == "township"]
    counties = [(code, name) for code, name, level, _parent, current in national_rows()
                if level == "county" and current and code[:4] in OTHER_PREFECTURES and code[4:] != "00"]
    for county, _name in counties:
        used = set()
        for i in range(rng.randint(14, 24)):
            while True:
                name = rng.choice(TOWN_CHARS) + rng.choice(PLACE_CHARS)
                if name not in used:
                    used.add(name)
                    break
            kind, base = ("乡", 200) if i % 5 == 4 else ("镇", 100)
            rows.append((f"{county}{base + i:03d}", name + kind, "township", county))
    return rows


def need_text(rng: random.Random, category: str, corpus_by_category: dict) -> tuple[str, str, str]:
    """(title, description, form) composed from fragments, or a labelled corpus text with variations."""
    if rng.random() < 0.15 and corpus_by_category.get(category):
        row = rng.choice(corpus_by_category[category])
        return row["title"], rng.choice(PREFIXES) + row["description"] + rng.choice(SUFFIXES), row["form"]
    core, item, form = rng.choice(ASKS[category])
    who = rng.choice(WHO)
    village = rng.choice(TOWN_CHARS) + rng.choice(PLACE_CHARS) + "村"
    roll = rng.random()
    if roll < 0.4:
        title = f"{who}{core}"
    elif roll < 0.6:
        title = f"{village}{who}{core}"
    elif roll < 0.8:
        title = f"{core}（{rng.choice(REASON)}）"
    else:
        title = f"为{who}申请{core}"
    parts = [rng.choice(PREFIXES), f"{village}一户{who}，"]
    if rng.random() < 0.5:
        parts.append(f"{rng.randint(55, 92)}岁，" if "老" in who else f"家中{rng.randint(2, 6)}口人，")
    parts.append(f"{rng.choice(REASON)}，")
    if rng.random() < 0.5:
        parts.append(f"患有{rng.choice(ILLNESS)}，")
    if rng.random() < 0.3:
        parts.append(f"{rng.choice(REASON)}，")
    parts.append(rng.choice(ASK_SENTENCES).format(item=item))
    if form == "money":
        parts.append(rng.choice(COST_SENTENCES).format(amount=rng.randrange(500, 60000, 100)) or "。")
    else:
        parts.append("。")
    parts.append(rng.choice(SUFFIXES))
    return title[:80], "".join(parts).replace("，。", "。"), form


def build(engine, needs: int, households: int, seed: int = 5) -> dict:
    from sqlalchemy import insert

    from marketplace.auth.models import AppUser
    from marketplace.db import transaction
    from marketplace.needs.models import Need
    from marketplace.regions.national import ensure_national
    from marketplace.regions.service import ensure_regions
    from marketplace.registry.models import Household
    from marketplace.search.synonyms import ensure_default_synonyms

    rng = random.Random(seed)
    now = datetime.now(UTC)
    corpus, _ = load_relevance_set()
    by_category: dict[str, list[dict]] = {}
    for row in corpus:
        by_category.setdefault(row["category"], []).append(row)
    townships = region_tree(rng)
    with transaction(engine) as s:
        ensure_national(s)
        from marketplace.regions.bozhou import REGIONS

        ensure_regions(s, [r for r in REGIONS if r[2] != "township"] + townships)
        ensure_default_synonyms(s)
        s.execute(insert(AppUser), [{"id": 1, "email": "bench@example.cn", "display_name": "bench",
                                     "password_hash": "x", "role": "staff", "region_code": "340000",
                                     "is_active": True, "created_at": now}])
    codes = [t[0] for t in townships]
    # Townships differ in size: a few large ones, many small (some tiers there fall below K_MIN).
    weights = [rng.lognormvariate(0, 0.8) for _ in codes]
    tiers = [t for t, w in TIERS for _ in range(w)]
    by_township: dict[str, list[tuple[int, str]]] = {}
    with engine.begin() as conn:
        for start in range(0, households, CHUNK):
            rows = []
            for hid in range(start + 1, min(start + CHUNK, households) + 1):
                region, tier = rng.choices(codes, weights)[0], rng.choice(tiers)
                by_township.setdefault(region, []).append((hid, tier))
                rows.append({"id": hid, "public_code": f"H{hid:08d}", "tier": tier, "region_code": region,
                             "members": rng.randint(1, 6), "hardships": [], "status": "active", "created_at": now,
                             "updated_at": now})
            conn.execute(insert(Household.__table__), rows)
    populated = list(by_township)
    pop_weights = [len(by_township[c]) for c in populated]
    categories = [c for c, w in CATEGORY_WEIGHTS for _ in range(w)]
    with engine.begin() as conn:
        for start in range(0, needs, CHUNK):
            rows = []
            for nid in range(start + 1, min(start + CHUNK, needs) + 1):
                region = rng.choices(populated, pop_weights)[0]
                hid, _tier = rng.choice(by_township[region])
                category = rng.choice(categories)
                title, description, form = need_text(rng, category, by_category)
                published = now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 23))
                urgency = rng.choice(("normal", "normal", "normal", "soon", "urgent"))
                rows.append({"id": nid, "household_id": hid, "region_code": region, "category": category,
                             "form": form, "title": title, "description": description, "urgency": urgency,
                             "target_amount_fen": rng.randrange(50000, 5000000, 10000) if form == "money" else None,
                             "deadline": TODAY + timedelta(days=rng.randint(3, 120)),
                             "status": "open" if rng.random() < 0.8 else "claimed", "version": 2,
                             "contact_basis": "none", "created_by_id": 1, "created_at": published,
                             "updated_at": published, "published_at": published})
            conn.execute(insert(Need.__table__), rows)
    with transaction(engine) as s:  # households were inserted around the services: count them once
        from marketplace.registry import tier_counts

        tier_counts.recount(s)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return {"townships": len(codes), "households": households}


def build_labelled(engine, corpus: list[dict]) -> dict[int, str]:
    """The labelled corpus as open needs (one household each in one township); need id -> key."""
    from sqlalchemy import insert

    from marketplace.auth.models import AppUser
    from marketplace.db import transaction
    from marketplace.needs.models import Need
    from marketplace.regions.bozhou import REGIONS
    from marketplace.regions.national import ensure_national
    from marketplace.regions.service import ensure_regions
    from marketplace.registry.models import Household
    from marketplace.search.synonyms import ensure_default_synonyms

    now = datetime.now(UTC)
    with transaction(engine) as s:
        ensure_national(s)
        ensure_regions(s, REGIONS)
        ensure_default_synonyms(s)
        s.execute(insert(AppUser), [{"id": 1, "email": "bench@example.cn", "display_name": "bench",
                                     "password_hash": "x", "role": "staff", "region_code": "340000",
                                     "is_active": True, "created_at": now}])
        s.execute(insert(Household), [{"id": i, "public_code": f"H{i:08d}", "tier": "dibao",
                                       "region_code": "341621102", "members": 2, "hardships": [], "status": "active",
                                       "created_at": now, "updated_at": now} for i in range(1, len(corpus) + 1)])
        s.execute(insert(Need), [{"id": i, "household_id": i, "region_code": "341621102", "category": row["category"],
                                  "form": row["form"], "title": row["title"], "description": row["description"],
                                  "urgency": row["urgency"], "deadline": TODAY + timedelta(days=30), "status": "open",
                                  "version": 2, "contact_basis": "none", "created_by_id": 1, "created_at": now,
                                  "updated_at": now, "published_at": now}
                                 for i, row in enumerate(corpus, 1)])
        from marketplace.registry import tier_counts

        tier_counts.recount(s)  # households were inserted around the services
    return {i: row["key"] for i, row in enumerate(corpus, 1)}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def rebuild_child(url: str, path: str, procs: int) -> None:
    """Runs in its own process, so the peak RSS printed is the rebuild's alone (children included)."""
    from marketplace.db import make_engine
    from marketplace.search.sync import SearchSync

    engine = make_engine(url)
    started = time.perf_counter()
    count = SearchSync(engine, Path(path)).rebuild(procs=procs)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"count": count, "seconds": seconds, "peak_rss_mb": own, "child_peak_rss_mb": children}))


def rebuild(url: str, path: Path, procs: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--rebuild-child", url, str(path), str(procs)],
                         check=True, capture_output=True, text=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["bytes"] = dir_size(path)
    figures["procs"] = procs
    return figures


def percentiles(values: list[float]) -> tuple[float, float, float, float]:
    values = sorted(values)
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    return statistics.median(values), q[94], q[98], values[-1]


def fmt(values: list[float]) -> str:
    p50, p95, p99, top = percentiles(values)
    return f"p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  max {top:7.2f} ms"


def run_query(path: Path, query, expansions, per_page: int = PER_PAGE):
    """engine.run on a pooled snapshot, as search_needs does."""
    from marketplace.search.engine import run
    from marketplace.search.index import searching

    with searching(path) as snap:
        return run(snap, query, expansions, per_page)


def time_whoosh(path: Path, variants: dict[str, list[dict]], expansions, repeat: int, cold: bool = False) -> dict:
    from marketplace.search import index
    from marketplace.search.query import SearchQuery

    results = {}
    for name, queries in variants.items():
        timings, totals, per_query = [], [], {}
        for args in queries:
            query = SearchQuery.from_args(args)
            if cold:
                index._terms.clear()
            else:
                hits = run_query(path, query, expansions)  # warm-up
                totals.append(hits.total)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                hits = run_query(path, query, expansions)
                times.append((time.perf_counter() - started) * 1000)
            timings.extend(times)
            if cold:
                totals.append(hits.total)
            per_query[args.get("q", "")] = (statistics.median(times), hits.total)
        results[name] = {"timings": timings, "totals": totals, "per_query": per_query}
    return results


def time_search_needs(url: str, path: Path, queries: list[dict], repeat: int) -> list[float]:
    from marketplace import create_app
    from marketplace.db import engine_of, reading_session
    from marketplace.search.query import SearchQuery
    from marketplace.search.service import search_needs

    app = create_app({"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(path), "SECRET_KEY": "bench"})
    timings = []
    with app.app_context():
        engine = engine_of(app)
        for args in queries:
            query = SearchQuery.from_args(args)
            with reading_session(engine) as session:
                result = search_needs(session, query, per_page=PER_PAGE)
                assert result.source == "index", result.source
            for _ in range(repeat):
                with reading_session(engine) as session:
                    started = time.perf_counter()
                    search_needs(session, query, per_page=PER_PAGE)
                    timings.append((time.perf_counter() - started) * 1000)
    return timings


# --- SQLite FTS5 (trigram) ---------------------------------------------------------------------------

FTS_FACETS = ("category", "form", "tier", "county", "township", "urgency")


def build_fts(source_url: str, fts_path: Path, nameable: dict | None = None) -> float:
    """need_fts(title, description) with rowid = need id, and need_facet(id, facet columns), from the
    indexed needs of the source database (read through SQLAlchemy so PostgreSQL works too)."""
    from sqlalchemy import select

    from marketplace.db import make_engine
    from marketplace.needs.listing import nameable_townships
    from marketplace.needs.models import Need
    from marketplace.registry.models import Household

    started = time.perf_counter()
    db = sqlite3.connect(fts_path)
    db.executescript("""
        CREATE VIRTUAL TABLE need_fts USING fts5(title, description, tokenize='trigram');
        CREATE TABLE need_facet (id INTEGER PRIMARY KEY, status TEXT, category TEXT, form TEXT, tier TEXT,
                                 county TEXT, township TEXT, urgency TEXT, deadline TEXT);
    """)
    engine = make_engine(source_url)
    from sqlmodel import Session

    with Session(engine) as session:
        rows = session.execute(
            select(Need.id, Need.title, Need.description, Need.status, Need.category, Need.form, Need.urgency,
                   Need.region_code, Need.deadline, Household.tier)
            .join(Household, Household.id == Need.household_id)
            .where(Need.status.in_(("open", "claimed"))).order_by(Need.id)).all()
        places = nameable_townships(session, {(r.region_code, r.tier) for r in rows})
    engine.dispose()
    db.executemany("INSERT INTO need_fts(rowid, title, description) VALUES (?, ?, ?)",
                   [(r.id, r.title, r.description) for r in rows])
    db.executemany("INSERT INTO need_facet VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(r.id, r.status, r.category, r.form, r.tier, r.region_code[:6],
                     places[(r.region_code, r.tier)] or "", r.urgency, r.deadline.isoformat()) for r in rows])
    db.commit()
    db.execute("INSERT INTO need_fts(need_fts) VALUES ('optimize')")
    db.execute("ANALYZE")
    db.commit()
    db.close()
    return time.perf_counter() - started


def fts_where(words: list[str], expansions: dict | None = None) -> tuple[str, list[str], bool]:
    """SQL condition over need_fts for "every word in title or description", its parameters, and whether
    it uses MATCH (so bm25 ranking is available). Words of 3+ characters go through the trigram MATCH;
    shorter ones through LIKE (a scan: the trigram index cannot serve fewer than 3 characters)."""
    matched, likes, params = [], [], []
    for word in words:
        alternatives = [word, *sorted((expansions or {}).get(word, ()))]
        if all(len(a) >= 3 for a in alternatives):
            matched.append("(" + " OR ".join('"' + a.replace('"', '""') + '"' for a in alternatives) + ")")
        else:
            likes.append("(" + " OR ".join("title LIKE ? OR description LIKE ?" for _ in alternatives) + ")")
            params.extend(p for a in alternatives for p in (f"%{a}%", f"%{a}%"))
    clauses = []
    if matched:
        clauses.append("need_fts MATCH ?")
        params.insert(0, " AND ".join(matched))
    clauses.extend(likes)
    return " AND ".join(clauses) or "1", params, bool(matched)


def fts_run(db, words: list[str], facets: bool, category: str = "", sort: str = "relevance",
            expansions: dict | None = None, limit: int = PER_PAGE, open_only: bool = True) -> tuple[list[int], int]:
    """Page of ids and total, with the facet counts computed (and dropped) when `facets`."""
    where, params, ranked = fts_where(words, expansions)
    db.execute("DELETE FROM temp.hits")
    rank = "bm25(need_fts)" if ranked else "0"
    db.execute(f"INSERT INTO temp.hits SELECT rowid, {rank} FROM need_fts WHERE {where}", params)
    filters, fparams = [], []
    if open_only:
        filters.append("f.status = 'open'")
    if category:
        filters.append("f.category = ?")
        fparams.append(category)
    cond = " AND ".join(filters) or "1"
    order = "f.deadline, h.id" if sort == "deadline" else "h.rank, h.id"
    ids = [r[0] for r in db.execute(f"SELECT h.id FROM temp.hits h JOIN need_facet f ON f.id = h.id WHERE {cond} "
                                    f"ORDER BY {order} LIMIT ?", [*fparams, limit])]
    total = db.execute(f"SELECT count(*) FROM temp.hits h JOIN need_facet f ON f.id = h.id WHERE {cond}",
                       fparams).fetchone()[0]
    if facets:
        for facet in FTS_FACETS:
            # Drill-down: each facet counted with every filter but its own.
            own = [x for x in filters if not x.startswith(f"f.{facet} ")]
            own_params = fparams if facet != "category" else []
            db.execute(f"SELECT f.{facet}, count(*) FROM temp.hits h JOIN need_facet f ON f.id = h.id "
                       f"WHERE {' AND '.join(own) or '1'} GROUP BY f.{facet}", own_params).fetchall()
    return ids, total


def fts_connect(path: Path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA cache_size = -200000")
    db.execute("CREATE TEMP TABLE hits (id INTEGER PRIMARY KEY, rank REAL)")
    return db


def time_fts(path: Path, variants: dict[str, list[dict]], repeat: int) -> dict:
    from marketplace.search.query import SearchQuery

    db = fts_connect(path)
    results = {}
    for name, queries in variants.items():
        for facets in (True, False):
            timings, totals, per_query = [], [], {}
            for args in queries:
                query = SearchQuery.from_args(args)
                run_args = (db, query.words(), facets, query.category, query.sort)
                _, total = fts_run(*run_args)  # warm-up
                totals.append(total)
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    fts_run(*run_args)
                    times.append((time.perf_counter() - started) * 1000)
                timings.extend(times)
                per_query[query.q] = (statistics.median(times), total)
            results[(name, facets)] = {"timings": timings, "totals": totals, "per_query": per_query}
    db.close()
    return results


# --- recall on the labelled set -----------------------------------------------------------------------

def recall_at_10(ranked: dict[str, list[str]], queries: dict[str, set[str]]) -> float:
    scores = [len(set(ranked[q][:10]) & relevant) / min(len(relevant), 10) for q, relevant in queries.items()]
    return sum(scores) / len(scores)


def labelled_recall(tmp: Path, expansions) -> dict[str, float]:
    from marketplace.db import make_engine
    from marketplace.search.query import SearchQuery
    from marketplace.search.sync import SearchSync

    corpus, queries = load_relevance_set()
    url = fresh_database(None, tmp / "labelled.db")
    engine = make_engine(url)
    keys = build_labelled(engine, corpus)
    path = tmp / "labelled-index"
    SearchSync(engine, path).rebuild()
    engine.dispose()
    ranked = {q: [keys[i] for i in run_query(path, SearchQuery.from_args({"q": q}), expansions, 10).ids]
              for q in queries}
    fts_path = tmp / "labelled-fts.db"
    build_fts(url, fts_path)
    db = fts_connect(fts_path)
    figures = {"whoosh": recall_at_10(ranked, queries)}
    for name, exp in (("fts5", None), ("fts5+synonyms", expansions)):
        fts_ranked = {q: [keys[i] for i in fts_run(db, q.split(), False, expansions=exp, limit=10)[0]]
                      for q in queries}
        figures[name] = recall_at_10(fts_ranked, queries)
    db.close()
    misses = [q for q in queries if not set(ranked[q]) & queries[q]]
    figures["whoosh_zero_hit_queries"] = misses
    figures["queries"], figures["corpus"] = len(queries), len(corpus)
    return figures


# --- profiling ---------------------------------------------------------------------------------------

def profile(path: Path, queries: list[dict], expansions, top: int = 18) -> None:
    import cProfile
    import pstats

    from marketplace.search.query import SearchQuery

    profiler = cProfile.Profile()
    profiler.enable()
    for args in queries:
        run_query(path, SearchQuery.from_args(args), expansions)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--households", type=int, help="registry households (default: 0.6 x needs)")
    parser.add_argument("--procs", default="1,2", help="rebuild with each of these process counts")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--database-url", help="PostgreSQL URL (its schema is dropped and rebuilt)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the slowest queries")
    parser.add_argument("--rebuild-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebuild_child:
        url, path, procs = args.rebuild_child
        rebuild_child(url, path, int(procs))
        return 0

    with tempfile.TemporaryDirectory(prefix="shanqiao-searchbench-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["MARKETPLACE_INSTANCE_PATH"] = tmp_name
        from marketplace.db import make_engine
        from marketplace.search.index import snapshot as index_snapshot
        from marketplace.search.synonyms import DEFAULT_GROUPS, parse_groups

        expansions = parse_groups(DEFAULT_GROUPS)
        url = fresh_database(args.database_url, tmp / "bench.db")
        engine = make_engine(url)
        started = time.perf_counter()
        built = build(engine, args.needs, args.households or args.needs * 6 // 10)
        engine.dispose()
        print(f"built {args.needs} needs (80% open, 20% claimed), {built['households']} households in "
              f"{built['townships']} townships on {engine.dialect.name} in {time.perf_counter() - started:.1f} s")

        # 1. Rebuilds, each in its own process and directory.
        rebuilds = []
        for procs in [int(p) for p in args.procs.split(",") if p]:
            path = tmp / f"index-procs{procs}"
            figures = rebuild(url, path, procs)
            figures["path"] = path
            snap = index_snapshot(path)
            figures["segments"] = len(snap.searcher.reader().leaf_readers()) \
                if hasattr(snap.searcher.reader(), "leaf_readers") else 1
            township = snap.columns["f_township"]
            figures["named"] = sum(1 for t in township if t) / max(len(township), 1)
            rebuilds.append(figures)
            print(f"rebuild procs={procs}: {figures['count']} docs in {figures['seconds']:.1f} s "
                  f"({figures['count'] / figures['seconds']:.0f} docs/s), index {figures['bytes'] / 2**20:.0f} MB "
                  f"in {figures['segments']} segment(s), peak RSS {figures['peak_rss_mb']:.0f} MB"
                  + (f" (+ workers {figures['child_peak_rss_mb']:.0f} MB)" if procs > 1 else "")
                  + f"; township nameable for {figures['named']:.0%} of docs")
        best = min(rebuilds, key=lambda f: f["seconds"])

        # 2. Queries: the labelled ones and more common ones, 1-3 words.
        _, labelled = load_relevance_set()
        texts = list(dict.fromkeys([*labelled, *EXTRA_QUERIES]))
        texts = [q for q in texts if 1 <= len(q.split()) <= 3]
        plain = [{"q": q} for q in texts]
        variants = {"plain": plain}
        subset = plain[::2]
        others = {f["procs"]: time_whoosh(f["path"], {"plain": subset}, expansions, args.repeat)["plain"]
                  for f in rebuilds if f is not best}
        # Drill-down: the category with most matches of each query; and the same sorted by deadline.
        from marketplace.search.query import SearchQuery

        main_path = best["path"]
        faceted = []
        for args_q in subset:
            hits = run_query(main_path, SearchQuery.from_args(args_q), expansions)
            top = hits.counts["category"].most_common(1)
            faceted.append({**args_q, "category": top[0][0] if top else "care"})
        variants.update({"category": faceted, "deadline": [{**a, "sort": "deadline"} for a in subset]})
        whoosh = time_whoosh(main_path, variants, expansions, args.repeat)
        browse = time_whoosh(main_path, {"browse": [{"q": ""}, {"q": "", "category": "care"}]}, expansions,
                             args.repeat)["browse"]
        service = time_search_needs(url, main_path, subset, args.repeat)

        print(f"\nWhoosh engine.run (facets of 6 fields, page of {PER_PAGE}), {len(texts)} queries x {args.repeat} "
              f"(filtered, sorted, other index and search_needs: every other query), index of procs={best['procs']}:")
        for name, res in whoosh.items():
            totals = sorted(res["totals"])
            print(f"  {name:>9}: {fmt(res['timings'])}   matches min {totals[0]} median "
                  f"{statistics.median(totals):.0f} max {totals[-1]}")
        for figures in rebuilds:
            if figures is not best:
                print(f"  plain on the procs={figures['procs']} index ({figures['segments']} segments): "
                      f"{fmt(others[figures['procs']]['timings'])}")
        print(f"  browse (no words, all open needs; not a target): {fmt(browse['timings'])}")
        print(f"  search_needs (engine.run + DB projection of the page, in an app context): {fmt(service)}")
        slow = sorted(whoosh["plain"]["per_query"].items(), key=lambda kv: -kv[1][0])[:8]
        print("  slowest plain queries (median ms, matches): "
              + ", ".join(f"{q} {ms:.1f} ({n})" for q, (ms, n) in slow))

        # 3. FTS5 trigram over the same needs.
        fts_path = tmp / "fts.db"
        fts_build = build_fts(url, fts_path)
        fts = time_fts(fts_path, variants, args.repeat)
        print(f"\nSQLite {sqlite3.sqlite_version} FTS5 trigram (built in {fts_build:.1f} s, "
              f"{fts_path.stat().st_size / 2**20:.0f} MB with the facet table):")
        for (name, facets), res in fts.items():
            totals = sorted(res["totals"])
            ratio = percentiles(res["timings"])[1] / percentiles(whoosh[name]["timings"])[1]
            print(f"  {name:>9} {'+facets' if facets else '-facets'}: {fmt(res['timings'])}  matches median "
                  f"{statistics.median(totals):.0f}  p95 ratio FTS5/Whoosh {ratio:.2f}")
        short = [q for q in texts if any(len(w) < 3 for w in q.split())]
        match_only = [q for q in texts if q not in short]
        per_query = fts[("plain", True)]["per_query"]
        for label, group in (("only MATCH (all words >= 3 chars)", match_only), ("with LIKE (a word < 3 chars)", short)):
            if group:
                values = [per_query[q][0] for q in group]
                print(f"  plain+facets, {label}: {len(group)} queries, median of medians "
                      f"{statistics.median(values):.1f} ms, max {max(values):.1f} ms")

        # Cold: a fresh process meets every term for the first time (no cached posting bitmaps).
        cold = time_whoosh(main_path, {"plain": plain}, expansions, 1, cold=True)["plain"]
        print(f"\n  plain, cold (term cache emptied before each query; first search after a restart): "
              f"{fmt(cold['timings'])}")

        if args.profile:
            print("\ncProfile of the 10 slowest plain Whoosh queries x 3:")
            profile(main_path, [{"q": q} for q, _ in slow[:10]] * 3, expansions)

    # 4. Recall on the labelled set (re-imported: it may have changed during the run).
    with tempfile.TemporaryDirectory(prefix="shanqiao-searchrecall-") as tmp_name:
        recall = labelled_recall(Path(tmp_name), expansions)
    print(f"\nrecall@10 on the labelled set ({recall['corpus']} needs, {recall['queries']} queries): "
          f"Whoosh {recall['whoosh']:.3f}, FTS5 trigram {recall['fts5']:.3f}, "
          f"FTS5 trigram with the same synonyms {recall['fts5+synonyms']:.3f}")
    if recall["whoosh_zero_hit_queries"]:
        print(f"  Whoosh queries with no relevant need in the top 10: {', '.join(recall['whoosh_zero_hit_queries'])}")

    p95 = percentiles(whoosh["plain"]["timings"])[1]
    fts_p95 = percentiles(fts[("plain", True)]["timings"])[1]
    rows = [
        ("needs indexed", f"{best['count']}", ""),
        ("rebuild (best of procs " + args.procs + ")", f"{best['seconds']:.1f} s (procs={best['procs']})",
         f"<= {TARGET_REBUILD_S:.0f} s"),
        ("index size", f"{best['bytes'] / 2**20:.0f} MB", ""),
        ("rebuild peak RSS", f"{best['peak_rss_mb']:.0f} MB", ""),
        ("engine.run p95, 1-3 words + facets", f"{p95:.2f} ms", f"<= {TARGET_P95_MS:.0f} ms"),
        ("  with a category filter p95", f"{percentiles(whoosh['category']['timings'])[1]:.2f} ms", ""),
        ("  sorted by deadline p95", f"{percentiles(whoosh['deadline']['timings'])[1]:.2f} ms", ""),
        ("search_needs p95 (with DB page)", f"{percentiles(service)[1]:.2f} ms", ""),
        ("FTS5 trigram p95 + facets", f"{fts_p95:.2f} ms", ""),
        ("FTS5 trigram p95 - facets", f"{percentiles(fts[('plain', False)]['timings'])[1]:.2f} ms", ""),
        ("p95 ratio FTS5/Whoosh (with facets)", f"{fts_p95 / p95:.2f}", ""),
        ("recall@10 Whoosh / FTS5 / FTS5+syn",
         f"{recall['whoosh']:.3f} / {recall['fts5']:.3f} / {recall['fts5+synonyms']:.3f}", ""),
    ]
    print("\nsummary")
    for name, value, target in rows:
        print(f"  {name:<40} {value:>28}  {target}")
    missed = []
    if p95 > TARGET_P95_MS:
        missed.append(f"query p95 {p95:.2f} ms > {TARGET_P95_MS:.0f} ms")
    if best["seconds"] > TARGET_REBUILD_S:
        missed.append(f"rebuild {best['seconds']:.1f} s > {TARGET_REBUILD_S:.0f} s")
    print("targets met" if not missed else f"targets missed: {'; '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
