"""Whoosh analyzers for Chinese need text (issue 5).

Four analyzers, compared by `bench/search_analyzers.py` on the labelled set in
`tests/search/relevance_set.py`; need_analyzer() returns ``word`` (CHOSEN). Through the real search path
(tests/search/test_relevance.py, per-term synonyms at half weight) ``word`` and ``hybrid`` both reach
recall@10 0.93-0.94, and ``word`` builds 1.5x faster with a smaller index, so it was chosen:

- ``hybrid``: rjieba words numbered 0, 1, 2, ... plus, at index time, every CJK bigram of the text at the
  position of the word it starts in. A query is cut into whole words, so a query word matches a document
  word (照顾 -> 照顾) or, when jieba kept the document's word longer, one of its bigrams (助行 -> 助行器,
  康复 -> 康复训练, and 助行 -> 助/行车, which jieba cuts across). Best recall@10 of the four in the
  analyzer-only comparison, by 0.016 over ``word``.
- ``word`` (chosen): the same, but bigrams only inside CJK words of three or more characters.
- ``word_plain``: words only (baseline, to show what the bigrams buy).
- ``char``: CJK unigrams + bigrams, Latin/digit runs as words; the only one where 药 finds 购药.

Every tokenizer is a top-level class holding only plain data (a frozenset, a str), because Whoosh pickles
the schema, analyzer included, into the index. rjieba is reached through the module at call time.

Changing DOMAIN_WORDS, STOP_WORDS or CHOSEN changes how text is cut: rebuild the index afterwards, or
documents and queries are cut differently.
"""

import re

import rjieba
from whoosh.analysis import LowercaseFilter, Token, Tokenizer

#: The analyzer need_analyzer() returns; set from the measurements in bench/search_analyzers.py.
CHOSEN = "word"

#: Function words that only add noise to AND queries. Measured: keeping them moved recall@10 by at most
#: 0.004 and grew the index 1-2 %; dropping them also keeps 的 out of the spelling dictionary.
STOP_WORDS = frozenset({"的", "和", "了", "等", "及", "与", "或", "并", "在", "对", "为"})

#: Domain words jieba's dictionary cuts into single characters (适老化 -> 适/老化, 坐便椅 -> 坐/便/椅).
DOMAIN_WORDS = ("适老化", "坐便椅", "护理床", "防走失", "助浴", "助餐", "陪诊", "低保边缘", "电暖器")

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_WORD = re.compile(f"[{_CJK_CLASS}]+")
# A token worth indexing has a letter, digit or CJK character; punctuation and spaces do not.
_WORDLIKE = re.compile(r"[^\W_]")
# Runs of letters/digits other than CJK (a decimal point kept inside numbers such as 3.5).
_LATIN = f"(?:(?![{_CJK_CLASS}])[^\\W_])+(?:\\.[0-9]+)?"
_LATIN_RUNS = re.compile(_LATIN)
# CJK runs (group 1) or Latin/digit runs.
_CHAR_RUNS = re.compile(f"([{_CJK_CLASS}]+)|{_LATIN}")

for _word in DOMAIN_WORDS:
    rjieba.add_word(_word, None, None)


def _emit(t: Token, text: str, pos: int, start: int, end: int, positions: bool, chars: bool,
          keeporiginal: bool, stopped: bool = False) -> Token:
    t.text = text
    t.boost = 1.0
    t.stopped = stopped
    if keeporiginal:
        t.original = text
    if positions:
        t.pos = pos
    if chars:
        t.startchar = start
        t.endchar = end
    return t


def _words(value: str):
    """rjieba's (word, start, end), without punctuation or spaces, and with Latin tokens split into their
    letter/digit runs (jieba keeps COVID-19 whole; a searcher types covid)."""
    for word, start, end in rjieba.tokenize(value):
        if _CJK_WORD.fullmatch(word):
            yield word, start, end
        elif _WORDLIKE.search(word):
            for run in _LATIN_RUNS.finditer(word):
                yield run.group(0), start + run.start(), start + run.end()


class JiebaWordTokenizer(Tokenizer):
    """rjieba words numbered 0, 1, 2, ... (jieba.analyse's ChineseAnalyzer numbers by character offset,
    which breaks phrase queries). Sub-grams share their word's position so they never shift later words,
    and a phrase over whole words still matches."""

    def __init__(self, stoplist=STOP_WORDS, grams: str = "word"):
        """grams: "" for words only; "word" adds the bigrams inside CJK words of three or more characters;
        "run" adds every bigram of each CJK run, across word boundaries too (助/行车 still gives 助行)."""
        self.stoplist = frozenset(stoplist)
        self.grams = grams

    def __eq__(self, other):
        return (self.__class__ is other.__class__ and self.stoplist == other.stoplist
                and self.grams == other.grams)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _emit(t, value, start_pos, start_char, start_char + len(value), positions, chars,
                        keeporiginal)
            return
        # Queries are cut into whole words only: a sub-gram in a query would demand that bigram in the
        # document, which the whole word already guarantees.
        grams = "" if mode == "query" else self.grams
        pos = start_pos
        words = list(_words(value))
        for n, (word, start, end) in enumerate(words):
            if word in self.stoplist:
                # Stopped words take no position, so "照顾的老人" and "照顾老人" index alike.
                if not removestops:
                    yield _emit(t, word, pos, start_char + start, start_char + end, positions, chars,
                                keeporiginal, stopped=True)
                continue
            yield _emit(t, word, pos, start_char + start, start_char + end, positions, chars, keeporiginal)
            if grams and _CJK_WORD.fullmatch(word):
                text = word
                # Run mode lets the last bigram reach into the next word when it directly follows.
                if grams == "run" and n + 1 < len(words) and words[n + 1][1] == end \
                        and _CJK_WORD.match(words[n + 1][0]):
                    text += words[n + 1][0][0]
                for i in range(len(text) - 1):
                    if text[i:i + 2] != word:
                        yield _emit(t, text[i:i + 2], pos, start_char + start + i, start_char + start + i + 2,
                                    positions, chars, keeporiginal)
            pos += 1


class CJKGramTokenizer(Tokenizer):
    """Position i is the i-th CJK character (or Latin/digit run). At index time the unigram and the bigram
    starting at a character both take its position; at query time a run of two or more characters gives
    only its bigrams (at consecutive positions) and a single character its unigram. So a phrase query of
    bigrams lines up with the document's bigrams, and a one-character query such as 药 still finds 药费."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _emit(t, value, start_pos, start_char, start_char + len(value), positions, chars,
                        keeporiginal)
            return
        query = mode == "query"
        pos = start_pos
        for match in _CHAR_RUNS.finditer(value):
            start = start_char + match.start()
            run = match.group(0)
            if match.group(1) is None:
                yield _emit(t, run, pos, start, start + len(run), positions, chars, keeporiginal)
                pos += 1
                continue
            n = len(run)
            for i in range(n):
                if not query or n == 1:
                    yield _emit(t, run[i], pos + i, start + i, start + i + 1, positions, chars, keeporiginal)
                if i + 1 < n:
                    yield _emit(t, run[i:i + 2], pos + i, start + i, start + i + 2, positions, chars,
                                keeporiginal)
            pos += n


def word_analyzer():
    """rjieba words + in-word bigram sub-grams (index time), lowercase, stop words dropped."""
    return JiebaWordTokenizer() | LowercaseFilter()


def word_plain_analyzer():
    """rjieba words only, lowercase, stop words dropped."""
    return JiebaWordTokenizer(grams="") | LowercaseFilter()


def hybrid_analyzer():
    """rjieba words + every CJK bigram of the text (index time), lowercase, stop words dropped."""
    return JiebaWordTokenizer(grams="run") | LowercaseFilter()


def char_analyzer():
    """CJK unigrams + bigrams, Latin/digit runs as lowercase words."""
    return CJKGramTokenizer() | LowercaseFilter()


ANALYZERS = {"word": word_analyzer, "word_plain": word_plain_analyzer, "hybrid": hybrid_analyzer,
             "char": char_analyzer}


def need_analyzer():
    """A new analyzer for the need text and title fields: ANALYZERS[CHOSEN], i.e. ``word``."""
    return ANALYZERS[CHOSEN]()


_query_analyzer = None


def query_terms(text: str) -> list[str]:
    """Index terms for one word of a user's query (split the query on spaces first), cut by the CHOSEN
    (``word``) analyzer in query mode: whole jieba words, stop words and punctuation dropped, duplicates
    dropped, in order ("独居老人" -> ["独居", "老人"], "助行" -> ["助行"]). A need matches the query word
    when it has every term (AND), each in title or description; expand synonyms per term and per word."""
    global _query_analyzer
    if _query_analyzer is None:
        _query_analyzer = need_analyzer()
    seen: dict[str, None] = {}
    for t in _query_analyzer(text, mode="query"):
        seen.setdefault(t.text, None)
    return list(seen)
