"""The pieces of tests/i18n/test_english_pages.py: what a reader sees on a page (text and the attributes people
read), what Chinese may stay on an English page (user data and place names, from the database itself), and a
crawl of one role's pages with Flask's test client.

Kept apart from the test so that the matcher can be tested on a snippet, without the demo."""

import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

HAN = re.compile(r"[\u3400-\u9fff]")
MARK = "‹…›"  # where an allowed value (user data, a place name) stood, in the report
ELLIPSIS = re.compile(r"…|\.\.\.")
SPACE = re.compile(r"\s+")
QUOTES = " 「」『』“”\"'（）()：:，,。.·-—"

# Attributes a person reads or hears. data-label / data-text*: static/app.css shows a table cell's data-label
# on a phone, static/app.js writes a counter's data-text into the page.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription",
                   "aria-valuetext", "aria-placeholder", "label", "data-label", "data-text", "data-text-over"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr"}
HIDDEN_TEXT = {"script", "style"}


# --- what a page says ---------------------------------------------------------------------------------------
@dataclass
class Page:
    html_lang: str | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (text, where: "text" or "attr@tag")
    links: list[str] = field(default_factory=list)  # hrefs as written: a/area href, hx-get, GET forms


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, bool]] = []  # (tag, inside an element whose lang is Chinese)
        self.form: dict | None = None  # a GET form being read: its action and fields
        self.select: list | None = None

    def _zh(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        self._element(tag, dict(attrs), closes=tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, dict(attrs), closes=True)

    def _element(self, tag: str, attrs: dict, closes: bool) -> None:
        lang = attrs.get("lang")
        if tag == "html":  # the page's language is checked on its own: its text is read as English's
            self.page.html_lang, lang = lang, None
        zh = self._zh() if lang is None else lang.lower().startswith("zh")
        if not closes:
            self.stack.append((tag, zh))
        if not zh:
            for name, value in attrs.items():
                if value and (name in READ_ATTRIBUTES or (name == "value" and tag == "input" and (
                        attrs.get("type") or "").lower() in ("submit", "button", "reset"))):
                    self._text(value, f"{name}@{tag}")
            if tag == "meta" and (attrs.get("name") or "").lower() == "description" and attrs.get("content"):
                self._text(attrs["content"], "content@meta")
        for name in ("href", "hx-get") if tag in ("a", "area") else ("hx-get",):
            if attrs.get(name):
                self.page.links.append(attrs[name])
        self._form_field(tag, attrs)

    def _form_field(self, tag: str, attrs: dict) -> None:
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.form = {"action": attrs.get("action") or "", "fields": []} if method == "get" else None
        elif self.form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "reset", "file", "image"):
                self.form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self.select = [attrs["name"], None, False]  # name, value, chosen by `selected`
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.select[1] is None or ("selected" in attrs and not self.select[2]):
                self.select[1:] = [value, "selected" in attrs]
        elif tag == "textarea" and attrs.get("name"):
            self.form["fields"].append((attrs["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.form is not None:
            self.form["fields"].append((self.select[0], self.select[1] or ""))
            self.select = None
        if tag == "form" and self.form is not None:
            query = urlencode([(k, v) for k, v in self.form["fields"]])
            self.page.links.append(self.form["action"].split("?")[0] + ("?" + query if query else ""))
            self.form = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in HIDDEN_TEXT:
            return
        if not self._zh():
            self._text(data, "text")

    def _text(self, text: str, where: str) -> None:
        text = SPACE.sub(" ", text).strip()
        if text and HAN.search(text):
            self.page.texts.append((text, where))


def read_page(html: str) -> Page:
    """The Chinese-bearing texts a reader meets on a page (outside lang="zh…" elements) and its links."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


# --- what may stay Chinese ----------------------------------------------------------------------------------
class Allowance:
    """User data and place names: removed from a text, longest first; what Chinese remains is interface text
    nobody translated. A value of one character counts only where it is the text's only Chinese (a unit
    such as 台 after a number); a text cut short with … counts when it begins an allowed value of 4 or more
    characters; a `whole` value only when it is all the text says (quotes and brackets aside), and `tokens`
    only as the space-separated words a text consists of."""

    def __init__(self, values, whole=(), tokens=()):
        self.values = {v for v in (SPACE.sub(" ", str(v)).strip() for v in values) if HAN.search(v)}
        self.whole = {SPACE.sub(" ", str(v)).strip() for v in whole}
        self.tokens = set(tokens)
        self.singles = {v for v in self.values if len(v) == 1}
        self.by_bigram: dict[str, list[str]] = {}
        self.prefixes: set[str] = set()
        for v in self.values:
            if len(v) >= 2:
                self.by_bigram.setdefault(v[:2], []).append(v)
            self.prefixes.update(v[:n] for n in range(4, len(v) + 1))
        for group in self.by_bigram.values():
            group.sort(key=len, reverse=True)
        self._cache: dict[str, str | None] = {}

    def residue(self, text: str) -> str | None:
        """None when every Chinese character of `text` is allowed, else the text with the allowed parts
        shown as ‹…›: the untranslated interface text, as the report groups it."""
        if text not in self._cache:
            self._cache[text] = self._residue(text)
        return self._cache[text]

    def _residue(self, text: str) -> str | None:
        work = SPACE.sub(" ", text).strip()
        if not HAN.search(work) or work.strip(QUOTES) in self.whole:
            return None
        if self.tokens and all(t in self.tokens for t in TOKEN.split(work.strip(QUOTES)) if HAN.search(t)):
            return None
        candidates = {v for i in range(len(work) - 1) for v in self.by_bigram.get(work[i:i + 2], ())}
        for value in sorted(candidates, key=len, reverse=True):
            if value in work:
                work = work.replace(value, MARK)
        han = HAN.findall(work)
        if len(han) == 1 and han[0] in self.singles:
            work = work.replace(han[0], MARK)
        work = self._cut_short(work)
        return work if HAN.search(work) else None

    def _cut_short(self, work: str) -> str:
        """`清理前缀…`: a value the page truncated."""
        for match in reversed(list(ELLIPSIS.finditer(work))):
            head = work[:match.start()]
            start = head.rfind(MARK) + len(MARK) if MARK in head else 0
            for i in range(start, len(head)):
                piece = head[i:].strip()
                if len(piece) >= 4 and piece in self.prefixes:
                    work = head[:i] + MARK + work[match.end():]
                    break
        return work


# --- the database: user data, minus the interface's own words ----------------------------------------------
def interface_words(catalogue: Path | None = None) -> set[str]:
    """Chinese the interface owns: every name in vocabulary.py, every N_("…") in the code, the goods kinds
    (duplicates/goods_kinds.py) and every msgid of the English catalogue. Stored in a row, such a name is
    still the interface speaking (a status, a hardship, a reason the system wrote), so it is never allowed."""
    import marketplace
    from marketplace import vocabulary
    from marketplace.duplicates.goods_kinds import GOODS_KINDS

    words: set[str] = set(GOODS_KINDS)
    for value in vars(vocabulary).values():
        if isinstance(value, dict):
            words.update(v for v in value.values() if isinstance(v, str))
        elif isinstance(value, (tuple, list)):
            words.update(v for v in value if isinstance(v, str))
    words.update(vocabulary.size_band(n) for n in range(1, 8))
    root = Path(marketplace.__file__).parent
    for source in root.rglob("*.py"):
        words.update(marked_strings(source.read_text(encoding="utf-8")))
    catalogue = catalogue or root / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    if catalogue.exists():
        from babel.messages.pofile import read_po

        with catalogue.open("rb") as f:
            for message in read_po(f):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                words.update(i for i in ids if i)
    return {w for w in words if HAN.search(w)}


MARKERS = {"N_", "_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def marked_strings(source: str) -> set[str]:
    """The literal messages of N_(…), _(…), gettext(…) and the like in Python source (adjacent literals
    joined, as the extractor joins them)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS:
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


# Columns Chinese by design, whose rows the system seeds: keys matched against Chinese input (an aid item's
# name in an imported spreadsheet, the words a search expands to). Allowed, but only as a whole text (a
# table cell, 「低保金」), never inside a longer one: 医疗, 物资, 孩子 must not excuse untranslated text.
# A synonym group is words separated by spaces (and > for a one-way group): its words, each a whole token,
# may also make up a text together (the page's list of groups).
CHINESE_KEYS = {"aid_item.pattern": "aid-item patterns matched in imported Chinese spreadsheets",
                "search_synonym.terms": "search synonym groups (Chinese words a search expands to)"}
TOKENISED_KEYS = {"search_synonym.terms"}
TOKEN = re.compile(r"[\s>]+")


@dataclass
class DataAllowance:
    values: set[str]
    # "table.column" -> Chinese in the database that the system wrote: never allowed, and listed.
    system_written: dict[str, set[str]]
    whole: set[str] = field(default_factory=set)  # allowed only as a whole text (CHINESE_KEYS)
    tokens: set[str] = field(default_factory=set)  # words allowed only as whole tokens (TOKENISED_KEYS)
    keys: dict[str, int] = field(default_factory=dict)  # CHINESE_KEYS column -> values found


def allowance_from_database(engine, vault=None) -> DataAllowance:
    """Every string of every text column of every table (user data: titles, descriptions, names, notes,
    reasons), plus the households' identities as the chain page decrypts them, minus the interface's own
    words; region names are always allowed (place names). JSON columns are not user text: any Chinese in
    them (hardships, mail subjects) is listed as system-written."""
    from sqlalchemy import JSON, String, select
    from sqlmodel import SQLModel

    import marketplace.models  # noqa: F401  every table

    words = interface_words()
    by_column: dict[str, set[str]] = {}
    system: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                kind = getattr(column.type, "impl_instance", column.type)
                name = f"{table.name}.{column.name}"
                if isinstance(kind, JSON):
                    found = {s for (v,) in conn.execute(select(column)) for s in _strings(v) if HAN.search(s)}
                    if found:
                        system[name + " (JSON)"] = found
                elif isinstance(kind, String):
                    found = {v for (v,) in conn.execute(select(column).distinct())
                             if isinstance(v, str) and HAN.search(v)}
                    if found:
                        by_column[name] = found
        if vault is not None:
            by_column["household (decrypted name, address)"] = _identities(conn, vault)
    regions = by_column.get("region.name", set())
    whole, tokens, keys = set(), set(), {}
    for name in CHINESE_KEYS:
        values = by_column.pop(name, set())
        keys[name] = len(values)
        whole |= values
        if name in TOKENISED_KEYS:
            tokens |= {w for v in values for w in TOKEN.split(v) if HAN.search(w)}
    everything = {v for values in by_column.values() for v in values}
    allowed: set[str] = set()
    for name, values in by_column.items():
        for value in values:
            if value in words and value not in regions:
                system.setdefault(name, set()).add(value)
                continue
            # A reason the system prefixed (需求已撤销：<the poster's reason>): the prefix is interface text.
            head, sep, rest = value.partition("：")
            if sep and rest != value and rest in everything and HAN.search(head):
                system.setdefault(name, set()).add(head + "：…")
                allowed.add(rest)
                continue
            allowed.add(value)
    return DataAllowance(allowed | regions, system, whole, tokens, keys)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _identities(conn, vault) -> set[str]:
    from sqlalchemy import select

    from marketplace.registry.models import Household

    found = set()
    rows = conn.execute(select(Household.head_name_enc, Household.address_enc))
    for name, address in rows:
        for blob in (name, address):
            text = vault.decrypt(blob) if blob else None
            if text and HAN.search(text):
                found.add(text)
    return found


# --- the crawl ----------------------------------------------------------------------------------------------
# Links that leave HTML for a file, end the session, switch the language, or spend a one-time token.
SKIPPED = re.compile(
    r"^/(logout|static/|api/|metrics|healthz|readyz|language|invitations/|password/reset/|unsubscribe/|"
    r"evidence-files/|login/2fa)"
    r"|/(download|downloads|export|exports)(/|$)|\.(ics|csv|xlsx|xls|pdf|svg|png|jpe?g|gif|webp|json|zip|txt)$"
    r"|/my/hours/certificate$")
# A path segment that names one thing: an id, a date, a household's code (HJZCWJVUM), a receipt's token.
IDENTIFIER = re.compile(r"(?<=/)(?:[^/]*\d[^/]*|[A-Z]{6,})(?=/|$)")
# Query keys whose value chooses what the page shows (a status tab): each value is a page of its own. Any
# other key filters or pages the same template: /needs?category=…&county=… and /needs?q=… are one page, or
# the facets' combinations would be hundreds of shapes of one template.
VARIANT_KEYS = {"status", "tab", "kind"}


def shape(url: str) -> str:
    """One page per template: /needs/12 and /needs/40 are one page, /needs?page=2 and /needs?page=3 too,
    and /needs?q=… and /needs?county=… (filtered), but ?status=open and ?status=claimed are two."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {f"{k}={v}" for k, v in query if k in VARIANT_KEYS}
    keys |= {"page" for k, _ in query if k == "page"}
    keys |= {"filtered" for k, _ in query if k not in VARIANT_KEYS and k != "page"}
    return IDENTIFIER.sub("N", parts.path) + ("?" + "&".join(sorted(keys)) if keys else "")


@dataclass
class Visit:
    url: str
    status: int
    page: Page
    seconds: float = 0.0


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # server errors met on the way
    left: list[str] = field(default_factory=list)  # shapes found but not visited: the cap was reached


def crawl(client, start: list[str], headers: dict, cap: int) -> Crawl:
    """Breadth first from `start` (the home page, whose navigation is the role's, and pages a link does not
    lead to), one URL per shape, following same-site links, redirects and GET forms (with the values they
    show), HTML pages only. A start URL with a #variant is visited even when its shape was: the same
    template showing another state (a need that is verified, a claim that was rejected)."""
    result, seen, queued = Crawl(), set(), set()
    queue = deque()

    def offer(url: str, variant: str = "") -> None:
        if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
            return
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("localhost", "localhost:80"):
            return
        path = parts.path + ("?" + parts.query if parts.query else "")
        key = shape(path) + variant
        if not parts.path.startswith("/") or SKIPPED.search(parts.path) or key in seen or path in queued:
            return
        seen.update((key, shape(path)))  # a variant stands for its shape too
        queued.add(path)
        queue.append(path)

    for url in start:  # "/needs/12#verified": a page of its own, though of a shape already seen
        url, _, variant = url.partition("#")
        offer(url, "#" + variant if variant else "")
    while queue:
        if len(result.visits) >= cap:
            result.left = [shape(u) for u in queue]
            break
        url = queue.popleft()
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        seconds = time.perf_counter() - began
        if response.status_code >= 500:
            result.errors.append(f"{url}: HTTP {response.status_code}")
        if response.status_code in (301, 302, 303, 307, 308):
            offer(urljoin("http://localhost" + url, response.headers.get("Location", "")))
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        page = read_page(response.get_data(as_text=True))
        result.visits.append(Visit(url, response.status_code, page, seconds))
        for href in page.links:
            offer(urljoin("http://localhost" + url, href.split("#")[0]))
    return result


# --- the report ---------------------------------------------------------------------------------------------
@dataclass
class Finding:
    residue: str
    count: int = 0
    first: str = ""  # "[role] url (where)"
    roles: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)


def findings(visits_by_role: dict[str, list[Visit]], allowance: Allowance) -> list[Finding]:
    """Untranslated texts grouped by what remains of them, most frequent (on most pages) first."""
    found: dict[str, Finding] = {}
    for role, visits in visits_by_role.items():
        for visit in visits:
            for text, where in visit.page.texts:
                residue = allowance.residue(text)
                if residue is None:
                    continue
                item = found.setdefault(residue, Finding(residue, first=f"[{role}] {visit.url} ({where})"))
                item.count += 1
                item.roles.add(role)
                item.pages.add(f"{role} {shape(visit.url)}")
    return sorted(found.values(), key=lambda f: (-len(f.pages), -f.count, f.residue))


def report(found: list[Finding], crawls: dict[str, Crawl], not_english: list[str], data: DataAllowance,
           limit: int | None = None) -> str:
    pages = sum(len(c.visits) for c in crawls.values())
    lines = [f"English pages: {len(crawls)} roles, {pages} pages ("
             + ", ".join(f"{role} {len(c.visits)}" for role, c in crawls.items()) + ").",
             f"{len(found)} distinct untranslated texts, {sum(f.count for f in found)} occurrences; "
             f"{MARK} marks user data or a place name that may stay Chinese.", ""]
    errors = [f"[{role}] {e}" for role, c in crawls.items() for e in c.errors]
    if errors:
        lines += [f"Server errors ({len(errors)}):", *("  " + e for e in errors), ""]
    if not_english:
        lines += [f"Pages not served in English ({len(not_english)}):", *("  " + p for p in not_english[:30]), ""]
    left = [f"[{role}] {s}" for role, c in crawls.items() for s in c.left]
    if left:
        lines += [f"Pages found but not visited, the cap reached ({len(left)}):", *("  " + s for s in left), ""]
    lines += ["Untranslated (pages, occurrences, text, first seen [role] url (where), roles):"]
    for item in found[:limit]:
        lines.append(f"  {len(item.pages):4d} {item.count:5d}  {item.residue}    — {item.first}; "
                     + ",".join(sorted(item.roles)))
    if limit is not None and len(found) > limit:
        lines.append(f"  … and {len(found) - limit} more")
    if data.keys:
        lines += ["", "Chinese by design in columns the system seeds, allowed only as a whole text:"]
        lines += [f"  {column} ({count} values): {CHINESE_KEYS[column]}" for column, count in data.keys.items()]
    if data.system_written:
        lines += ["", "Chinese the system wrote into the database (not allowed as user data):"]
        for column, values in sorted(data.system_written.items()):
            shown = sorted(values)
            lines.append(f"  {column}: " + " | ".join(v[:40] for v in shown[:6])
                         + (f" … ({len(shown)} values)" if len(shown) > 6 else ""))
    lines += ["", "Pages checked (one URL per shape; seconds to serve):"]
    for role, result in crawls.items():
        lines.append(f"  [{role}] " + ", ".join(f"{v.url} ({v.status}, {v.seconds:.2f})" for v in result.visits))
    return "\n".join(lines)
