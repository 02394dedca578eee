"""Need-search analyzer benchmark (issue 5): relevance and speed of each analyzer in
marketplace/search/analyzers.py on the labelled set in tests/search/relevance_set.py.

    .venv/bin/python bench/search_analyzers.py [--scale 50000] [--repeat 4] [--analyzers word,char,...]
                                               [--syn-boost 0.5] [--misses and:default:tdl]

Per analyzer: indexes the fixture corpus (title, description and "labels" - the Chinese category, form,
tier and urgency labels - analysed, boosts as in marketplace/search/schema.py) in a temporary directory,
and reports recall@10 / MRR@10 (recall divided by min(relevant, 10)) for five ways of building a query:

- and:    every query word must match; a word is the AND of its terms, each term in any searched field
          and OR'd with its synonyms (boost --syn-boost), the whole word OR'd with the word's synonyms;
- or:     the same word queries OR'd together;
- and>or: the AND hits first, then OR hits fill the remaining places of the ten;
- phrase: like "and", but a multi-term word must match as a phrase;
- engine: the platform's own index and engine (marketplace/search/engine.py) built with that analyzer:
          bitmaps, per-term synonyms at half weight, title ranked first (its fields are fixed, so the
          "td"/"tdl" rows agree; analyzers outside analyzers.ANALYZERS show nan);

with no synonyms, DEFAULT_GROUPS (marketplace/search/synonyms.py), or those plus PROPOSED_GROUPS below;
searching title+description ("td") or those and labels ("tdl"). Then replicates the corpus with variations
to --scale documents (0 skips): build time, index size, latency p50/p95 of "and" queries (tdl, default).
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import load_relevance_set

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = ("and", "or", "and>or", "phrase", "engine")
# Synonym groups the relevance set's misses suggest; offered to staff for 检索同义词, not applied by default.
PROPOSED_GROUPS = (
    "大学 高职 研究生", "学费 学杂费", "失能 卧床 瘫痪 不能自理", "卫生间 浴室 厕所", "取暖 暖气 保暖 御寒 防寒",
    "药 服药 购药 买药 用药", "训练 锻炼", "助浴 洗澡 洗浴", "陪伴 聊天 精神慰藉", "漏雨 渗水 漏水",
    "慢性病 高血压 糖尿病 长期服药 长期服用", "棉被 被褥 被子", "火灾 失火 着火", "丧葬费 丧葬 殡葬 后事",
    "送餐 助餐", "冬衣 棉衣 冬季衣服 冬季校服", "独居 独自居住", "课后辅导 作业辅导 学业辅导",
)
# Sentences a caseworker adds around the core text, so replicated documents differ in length and words.
PREFIXES = ("", "", "经社区走访核实，", "村委会反映：", "网格员入户了解到，", "社工站转介：", "经乡镇审核，")
SUFFIXES = ("", "", "家庭已纳入低保。", "申请人同意公开匿名需求信息。", "情况已入户核实。", "希望尽快得到帮助。",
            "该户为低保边缘家庭。", "家中另有老人需要赡养。")
PLACES = ("城区", "山区", "农村", "镇上", "街道", "")


def analyzer_factories():
    from whoosh.analysis import LowercaseFilter

    from marketplace.search import analyzers

    factories = dict(analyzers.ANALYZERS)
    factories["word_nostop"] = lambda: analyzers.JiebaWordTokenizer(stoplist=()) | LowercaseFilter()
    return factories


def make_schema(analyzer):
    from whoosh.fields import ID, TEXT, Schema

    # Boosts and the labels field as in marketplace/search/schema.py, so ranking matches the real index.
    return Schema(key=ID(stored=True, unique=True), category=ID(stored=True),
                  title=TEXT(analyzer=analyzer, field_boost=2.0), description=TEXT(analyzer=analyzer),
                  labels=TEXT(analyzer=analyzer, field_boost=1.5))


def build_index(directory: Path, analyzer, docs) -> float:
    from whoosh import index

    from marketplace.vocabulary import CATEGORIES, FORMS, URGENCIES

    ix = index.create_in(str(directory), make_schema(analyzer))
    started = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(key=doc["key"], category=doc["category"], title=doc["title"],
                            description=doc["description"],
                            labels=" ".join((CATEGORIES[doc["category"]], FORMS[doc["form"]], "低保对象",
                                             URGENCIES[doc["urgency"]])))
    writer.commit()
    elapsed = time.perf_counter() - started
    ix.close()
    return elapsed


def dir_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


class QueryBuilder:
    """Builds the Whoosh query for a user's query string, as the search page would."""

    def __init__(self, analyzer, expansions: dict[str, set[str]], fields=("title", "description"),
                 syn_boost: float = 0.5):
        self.analyzer = analyzer
        self.expansions = expansions
        self.fields = fields
        self.syn_boost = syn_boost

    def terms(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.analyzer(text, mode="query"):
            seen.setdefault(t.text, None)
        return list(seen)

    def _match(self, terms: list[str], phrase: bool, boost: float = 1.0):
        from whoosh.query import And, Or, Phrase, Term

        if phrase and len(terms) > 1:
            return Or([Phrase(f, terms, boost=boost) for f in self.fields])
        return And([Or([Term(f, t, boost=boost) for f in self.fields]) for t in terms])

    def _synonyms(self, word: str, phrase: bool) -> list:
        return [self._match(self.terms(s), phrase, self.syn_boost) for s in sorted(self.expansions.get(word, ()))
                if self.terms(s)]

    def word(self, word: str, phrase: bool):
        from whoosh.query import And, Or

        terms = self.terms(word)
        if not terms:
            return None
        if phrase and len(terms) > 1:
            # Term synonyms cannot sit inside a phrase; the whole word's synonyms still apply below.
            query = self._match(terms, True)
        else:
            parts = [Or([self._match([t], phrase)] + self._synonyms(t, phrase)) for t in terms]
            query = And(parts) if len(parts) > 1 else parts[0]
        if len(terms) > 1 and word in self.expansions:
            query = Or([query] + self._synonyms(word, phrase))
        return query

    def build(self, text: str, mode: str):
        from whoosh.query import And, NullQuery, Or

        words = [q for q in (self.word(w, mode == "phrase") for w in text.split()) if q is not None]
        if not words:
            return NullQuery
        if len(words) == 1:
            return words[0]
        return Or(words) if mode == "or" else And(words)

    def search(self, searcher, text: str, mode: str) -> list[str]:
        hits = [hit["key"] for hit in searcher.search(self.build(text, "and" if mode == "and>or" else mode),
                                                       limit=10)]
        if mode == "and>or" and len(hits) < 10:
            for hit in searcher.search(self.build(text, "or"), limit=20):
                if hit["key"] not in hits and len(hits) < 10:
                    hits.append(hit["key"])
        return hits


def engine_rankings(name: str, corpus, queries, expansions, directory: Path) -> dict[str, list[str]] | None:
    """The top ten of each query through the platform's own index and engine (marketplace/search:
    bitmaps, per-term synonyms at half weight, title/text levels), built with analyzer `name`."""
    from marketplace.search import analyzers, index
    from marketplace.search.engine import run
    from marketplace.search.query import SearchQuery
    from marketplace.search.schema import FACET_CODES
    from marketplace.vocabulary import CATEGORIES, FORMS, URGENCIES

    if name not in analyzers.ANALYZERS:
        return None
    saved = analyzers.CHOSEN
    analyzers.CHOSEN, analyzers._query_analyzer = name, None
    try:
        docs = [(i, {"id": str(i), "title": d["title"],
                     "text": "\n".join((d["title"], d["description"], CATEGORIES[d["category"]], FORMS[d["form"]],
                                        "低保对象", URGENCIES[d["urgency"]])),
                     "f_status": 0, "f_category": FACET_CODES["category"].index(d["category"]),
                     "f_form": FACET_CODES["form"].index(d["form"]), "f_tier": 0,
                     "f_urgency": FACET_CODES["urgency"].index(d["urgency"]), "f_county": 341621,
                     "f_township": 0, "deadline": 20270101, "published": 20261101})
                for i, d in enumerate(corpus)]
        index.rebuild(directory, [docs], 0)
        with index.searching(directory) as snap:
            return {q: [corpus[i]["key"] for i in run(snap, SearchQuery.from_args({"q": q}), expansions, 10).ids]
                    for q in queries}
    finally:
        analyzers.CHOSEN, analyzers._query_analyzer = saved, None
        index.forget(directory)


def evaluate(ix, builder: QueryBuilder, queries: dict[str, set[str]], mode: str, ranked=None):
    recalls, rr, misses = [], [], []
    with ix.searcher() as searcher:
        for text, relevant in queries.items():
            hits = ranked[text] if ranked is not None else builder.search(searcher, text, mode)
            recall = len(relevant & set(hits)) / min(len(relevant), 10)
            recalls.append(recall)
            rank = next((i for i, key in enumerate(hits, 1) if key in relevant), None)
            rr.append(1 / rank if rank else 0.0)
            if recall < 1:
                misses.append(f"{text}={recall:.2f}(-{','.join(sorted(relevant - set(hits)))})")
    return statistics.mean(recalls), statistics.mean(rr), misses


def latency(ix, builder: QueryBuilder, queries, mode: str, repeat: int):
    timings = []
    with ix.searcher() as searcher:
        for _ in range(repeat):
            for text in queries:
                started = time.perf_counter()
                builder.search(searcher, text, mode)
                timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.95)]


def scaled_corpus(corpus, n: int, seed: int = 5):
    rng = random.Random(seed)
    by_category: dict[str, list[dict]] = {}
    for doc in corpus:
        by_category.setdefault(doc["category"], []).append(doc)
    for i in range(n):
        doc = rng.choice(corpus)
        extra = rng.choice(by_category[doc["category"]])
        description = rng.choice(PREFIXES) + doc["description"] + rng.choice(SUFFIXES)
        if rng.random() < 0.3 and extra is not doc:
            description += extra["description"]
        yield {**doc, "key": f"s{i}", "title": rng.choice(PLACES) + doc["title"],
               "description": description[:200]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50_000, help="documents in the scaled corpus (0 skips)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the query set when timing")
    parser.add_argument("--analyzers", default="word,word_plain,word_nostop,hybrid,char")
    parser.add_argument("--syn-boost", type=float, default=0.5, help="boost of a synonym against the word")
    parser.add_argument("--misses", default="and:default:tdl", help="mode:synonyms:fields whose misses to list")
    args = parser.parse_args()

    from whoosh import index

    from marketplace.search.synonyms import DEFAULT_GROUPS, parse_groups

    corpus, queries = load_relevance_set()
    factories = analyzer_factories()
    names = [n for n in args.analyzers.split(",") if n]
    synonym_sets = {"none": {}, "default": parse_groups(DEFAULT_GROUPS),
                    "proposed": parse_groups(DEFAULT_GROUPS + PROPOSED_GROUPS)}
    field_sets = {"td": ("title", "description"), "tdl": ("title", "description", "labels")}
    small, large, misses = {}, {}, {}
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        for name in names:
            directory = tmp / name
            directory.mkdir()
            build_s = build_index(directory, factories[name](), corpus)
            ix = index.open_dir(str(directory))
            analyzer = ix.schema["title"].analyzer
            row = {"build_s": build_s, "size": dir_size(directory)}
            for syn, expansions in synonym_sets.items():
                ranked = engine_rankings(name, corpus, queries, expansions, tmp / f"{name}-engine-{syn}")
                for fields_name, fields in field_sets.items():
                    builder = QueryBuilder(analyzer, expansions, fields, args.syn_boost)
                    for mode in MODES:
                        if mode == "engine":
                            # The engine always searches title, description and labels (one text field).
                            recall, mrr, missed = evaluate(ix, builder, queries, mode, ranked) if ranked else \
                                (float("nan"), float("nan"), [])
                        else:
                            recall, mrr, missed = evaluate(ix, builder, queries, mode)
                        row[(mode, syn, fields_name)] = (recall, mrr)
                        misses[(name, mode, syn, fields_name)] = missed
            builder = QueryBuilder(analyzer, synonym_sets["default"], field_sets["tdl"], args.syn_boost)
            row["lat"] = latency(ix, builder, queries, "and", args.repeat)
            ix.close()
            small[name] = row
            if args.scale:
                directory = tmp / f"{name}-scaled"
                directory.mkdir()
                build_s = build_index(directory, factories[name](), scaled_corpus(corpus, args.scale))
                ix = index.open_dir(str(directory))
                builder = QueryBuilder(ix.schema["title"].analyzer, synonym_sets["default"], field_sets["tdl"],
                                       args.syn_boost)
                large[name] = {"build_s": build_s, "size": dir_size(directory),
                               "lat": latency(ix, builder, queries, "and", max(1, args.repeat // 2))}
                ix.close()
                shutil.rmtree(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"corpus {len(corpus)} needs, {len(queries)} queries, synonym boost {args.syn_boost}; "
          "cells are recall@10 / MRR@10")
    print(f"{'analyzer':<12}{'synonyms':<10}{'fields':<7}" + "".join(f"{m:>15}" for m in MODES))
    for name, row in small.items():
        for syn in synonym_sets:
            for fields_name in field_sets:
                cells = "".join(f"{row[(m, syn, fields_name)][0]:>8.3f}/{row[(m, syn, fields_name)][1]:<6.3f}"
                                for m in MODES)
                print(f"{name:<12}{syn:<10}{fields_name:<7}{cells}")
    print()
    scale_head = f"   | {args.scale} docs: build s  size MB  p50 ms  p95 ms" if args.scale else ""
    print(f"{'analyzer':<12}{'build s':>9}{'size KB':>9}{'p50 ms':>8}{'p95 ms':>8}{scale_head}")
    for name, row in small.items():
        line = (f"{name:<12}{row['build_s']:>9.2f}{row['size'] / 1024:>9.0f}{row['lat'][0]:>8.2f}"
                f"{row['lat'][1]:>8.2f}")
        if name in large:
            big = large[name]
            line += (f"   | {big['build_s']:>20.1f}{big['size'] / 2**20:>9.1f}{big['lat'][0]:>8.2f}"
                     f"{big['lat'][1]:>8.2f}")
        print(line)
    mode, syn, fields_name = args.misses.split(":")
    print(f"\nqueries below recall 1.0 ({args.misses}):")
    for name in small:
        print(f"  {name}: {' '.join(misses[(name, mode, syn, fields_name)]) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
