"""The need-search analyzers as a searcher meets them: phrases, one-character queries, word fragments,
Latin text, and an index that still works after the schema has been pickled and read back."""

import pickle
import re

import pytest
from relevance_set import CORPUS, QUERIES
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import And, Or, Phrase, Term

from marketplace.search.analyzers import ANALYZERS, CHOSEN, need_analyzer, query_terms

TEXTS = {
    "n1": "需要有人照顾老人，每周上门两次",
    "n2": "老人需要照顾，子女在外地",
    "n3": "慢性病每月药费约八百元",
    "n4": "老人行走不稳，需要一个四脚助行器",
    "n5": "需要带座的助行车和COVID-19检测ABC试剂",
}


def build(tmp_path, analyzer):
    ix = index.create_in(str(tmp_path), Schema(key=ID(stored=True), description=TEXT(analyzer=analyzer)))
    with ix.writer() as writer:
        for key, text in TEXTS.items():
            writer.add_document(key=key, description=text)
    ix.close()
    return index.open_dir(str(tmp_path))


def keys(ix, query) -> set[str]:
    with ix.searcher() as searcher:
        return {hit["key"] for hit in searcher.search(query, limit=None)}


def terms(analyzer, text, mode="query") -> list[str]:
    return [t.text for t in analyzer(text, mode=mode)]


@pytest.mark.parametrize("name", ["word", "hybrid"])
def test_words_are_numbered_one_after_another(name):
    tokens = [(t.text, t.pos) for t in ANALYZERS[name]()("需要有人照顾老人的助行器", positions=True)]
    words = [(text, pos) for text, pos in tokens if text in {"需要", "有人", "照顾", "老人", "助行器"}]
    assert words == [("需要", 0), ("有人", 1), ("照顾", 2), ("老人", 3), ("助行器", 4)]
    # Fragments of a word sit at that word's position, so they never push later words along.
    assert ("助行", 4) in tokens


@pytest.mark.parametrize("name", ["word", "hybrid", "char"])
def test_a_phrase_finds_adjacent_words_only(tmp_path, name):
    analyzer = ANALYZERS[name]()
    ix = build(tmp_path, analyzer)
    assert keys(ix, Phrase("description", terms(analyzer, "照顾老人"))) == {"n1"}
    ix.close()


@pytest.mark.parametrize("name", ["word", "hybrid", "char"])
def test_offsets_point_at_the_token_text(name):
    value = "卫生间无障碍改造，加装扶手ABC 3.5米"
    for t in ANALYZERS[name]()(value, chars=True, positions=True):
        assert value[t.startchar:t.endchar].lower() == t.text


@pytest.mark.parametrize("name", ["word", "word_plain", "hybrid", "char"])
def test_latin_and_digits_are_lowercased_and_punctuation_dropped(name):
    tokens = terms(ANALYZERS[name](), "购买COVID-19检测ABC，2025年！ ", mode="index")
    assert {"covid", "19", "abc", "2025"} <= set(tokens)
    assert not any(re.fullmatch(r"[\W_]+", t) for t in tokens)


def test_one_character_query_finds_longer_word_with_char_analyzer(tmp_path):
    analyzer = ANALYZERS["char"]()
    ix = build(tmp_path, analyzer)
    assert terms(analyzer, "药") == ["药"]
    assert keys(ix, Term("description", "药")) == {"n3"}
    ix.close()


def test_word_fragment_finds_the_whole_word(tmp_path):
    ix = build(tmp_path, need_analyzer())
    # jieba keeps 助行器 as one word, and cuts the query 助行 as another.
    assert query_terms("助行") == ["助行"]
    assert keys(ix, Term("description", "助行")) >= {"n4"}
    ix.close()


def test_hybrid_fragment_across_a_word_boundary(tmp_path):
    # jieba cuts 助行车 into 助 / 行车; the hybrid analyzer still indexes the bigram 助行.
    ix = build(tmp_path, ANALYZERS["hybrid"]())
    assert keys(ix, Term("description", "助行")) == {"n4", "n5"}
    ix.close()


def test_query_terms_are_whole_words_without_stop_words():
    assert query_terms("独居老人") == ["独居", "老人"]
    assert query_terms("老人的照料") == ["老人", "照料"]
    assert query_terms("，。 ") == []


def test_index_survives_closing_and_reopening(tmp_path):
    analyzer = need_analyzer()
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer
    build(tmp_path, analyzer).close()
    reopened = index.open_dir(str(tmp_path))
    assert reopened.schema["description"].analyzer == analyzer
    query = And([Or([Term("description", t)]) for t in query_terms("照顾 老人")])
    assert keys(reopened, query) == {"n1", "n2"}
    reopened.close()


def test_chosen_analyzer_is_known():
    assert CHOSEN in ANALYZERS


def test_relevance_set_is_usable():
    vocab = {"category": {"care", "education", "accessibility", "medical", "housing", "employment",
                          "psychological", "goods", "emergency", "other"},
             "form": {"money", "goods", "service", "retrofit"}, "urgency": {"normal", "soon", "urgent"}}
    keys_seen = {need["key"] for need in CORPUS}
    assert len(CORPUS) >= 150 and len(keys_seen) == len(CORPUS)
    for need in CORPUS:
        assert all(need[field] in allowed for field, allowed in vocab.items()), need["key"]
        assert len(need["title"]) <= 40 and 0 < len(need["description"]) <= 200, need["key"]
        # Anonymised: nothing that looks like a phone or an ID number.
        assert not re.search(r"\d{7,}", need["title"] + need["description"]), need["key"]
    assert len(QUERIES) >= 40
    for query, relevant in QUERIES.items():
        assert 1 <= len(relevant) <= 10 and relevant <= keys_seen, query
