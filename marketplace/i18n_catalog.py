"""`marketplace i18n build|check|unmarked`: the English catalogue, kept in step with the sources.

- build: extracts every marked message (Python `_`, `_l`, `N_`, `gettext`, `ngettext`; templates `_()` and
  `{% trans %}`), keeps the English already in `translations/en/LC_MESSAGES/messages.po`, adds what the
  `i18n_parts/*.po` files at the top of a checkout give (work in progress of several people at once),
  drops messages no source uses any more, and writes the .po and the compiled .mo (both committed: the
  app reads the .mo, and a fresh machine has nothing to compile).
- check: what tests/i18n asserts: no message without English, English without Chinese, the same
  %(name)s placeholders on both sides, and a .mo that is the .po compiled.
- unmarked: Chinese text in templates and string literals in Python that no marker wraps, which an
  English reader would therefore see in Chinese (docstrings, log lines and the demo's data are not UI)."""

import ast
import io
import json
import re
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .resources import project_root

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2)}
METHOD_MAP = [("marketplace/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols", "silent": "false"}}
# Not interface text: the demo's invented households and organisations are user data; mail has its own
# per-language templates (templates/mail/zh, templates/mail/en).
NOT_UI = ("marketplace/demo/seed", "marketplace/demo/supply", "marketplace/demo/need_catalogue",
          "marketplace/demo/profiles", "marketplace/demo/identities", "marketplace/demo/evidence_",
          "marketplace/demo/commands", "marketplace/data/", "marketplace/regions/", "marketplace/i18n_catalog.py",
          "templates/mail/")


def _root() -> Path:
    return project_root()


def po_path() -> Path:
    return Path(__file__).resolve().parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    root = _root()
    catalog = Catalog(locale="en", domain="messages", project="Shanqiao", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), METHOD_MAP, OPTIONS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _known() -> dict:
    """msgid (or (context, msgid)) -> English, from the catalogue and then the parts."""
    known: dict = {}
    sources = [po_path()] + sorted((_root() / "i18n_parts").glob("*.po"))
    for path in sources:
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        for message in catalog:
            if not message.id or not message.string:
                continue
            if isinstance(message.string, tuple) and not all(message.string):
                continue
            key = (message.context, message.id if not isinstance(message.id, tuple) else message.id[0])
            known[key] = message.string  # a part's English replaces the catalogue's
    for path in sorted((_root() / "i18n_parts").glob("*.json")):
        # {"中文": "English", ...}; a plural message maps its singular to [singular, plural].
        for msgid, english in json.loads(path.read_text(encoding="utf-8")).items():
            if english:
                known[(None, msgid)] = tuple(english) if isinstance(english, list) else english
    return known


def merged() -> Catalog:
    catalog = extract()
    known = _known()
    for message in catalog:
        if not message.id:
            continue
        key = (message.context, message.id if not isinstance(message.id, tuple) else message.id[0])
        english = known.get(key)
        if english is None:
            continue
        if message.pluralizable and not isinstance(english, tuple):
            english = (english, english)
        if not message.pluralizable and isinstance(english, tuple):
            english = english[0]
        message.string = english
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=110, sort_output=True, include_lineno=False, omit_header=False)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def build() -> list[str]:
    catalog = merged()
    catalog.revision_date = catalog.creation_date  # stable bytes: a rebuild without changes changes nothing
    _write(po_path(), _po_bytes(catalog))
    with po_path().open("rb") as handle:
        written = read_po(handle, locale="en")
    _write(po_path().with_suffix(".mo"), _mo_bytes(written))
    return problems(written)


def _texts(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def problems(catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        where = ", ".join(sorted({path for path, _line in message.locations}))[:160]
        source = _texts(message.id)[0]
        if not message.string or not all(_texts(message.string)):
            found.append(f"untranslated: {source!r} ({where})")
            continue
        for english in _texts(message.string):
            if HAN.search(english):
                found.append(f"Chinese left in the English of {source!r}: {english!r}")
            if set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(source)):
                found.append(f"placeholders differ in {source!r}: {english!r}")
    return found


def check() -> list[str]:
    """Problems of the committed catalogue against the sources as they are now (empty: all is well)."""
    path = po_path()
    if not path.exists():
        return [f"{path} is missing: run `marketplace i18n build`"]
    expected = merged()
    with path.open("rb") as handle:
        committed = read_po(handle, locale="en")
    found = []
    have = {(m.context, _texts(m.id)[0]) for m in committed if m.id}
    need = {(m.context, _texts(m.id)[0]) for m in expected if m.id}
    found += [f"not in the catalogue (run `marketplace i18n build`): {msgid!r}" for _c, msgid in sorted(need - have, key=lambda k: (k[0] or "", k[1]))]
    found += problems(expected)
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != _mo_bytes(committed):
        found.append(f"{mo} is not the .po compiled: run `marketplace i18n build`")
    return found


# ---- unmarked Chinese ---------------------------------------------------------------------------------

def _docstring_nodes(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return f"{owner}.{func.attr}"
    return ""


_LOGGING = re.compile(r"^(log|logger|logging|_log|LOG)\.(debug|info|warning|error|exception|critical)$")


def unmarked_python(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name.split(".")[-1] in KEYWORDS or _LOGGING.match(name) or name.startswith("click."):
                for inner in ast.walk(node):
                    skip.add(id(inner))
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and HAN.search(node.value):
            hits.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and id(node) not in skip:
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            if HAN.search(text):
                hits.append((node.lineno, "f-string: " + text))
                for part in node.values:
                    skip.add(id(part))
    return sorted(hits)


def unmarked_template(path: Path) -> list[tuple[int, str]]:
    from jinja2 import Environment, nodes

    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])
    tree = env.parse(path.read_text(encoding="utf-8"))
    skip = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in KEYWORDS:
            for inner in call.find_all(nodes.Const):
                skip.add(id(inner))
    hits = []
    for node in tree.find_all(nodes.TemplateData):
        if HAN.search(node.data):
            hits.append((node.lineno, node.data.strip()))
    for node in tree.find_all(nodes.Const):
        if isinstance(node.value, str) and id(node) not in skip and HAN.search(node.value):
            hits.append((node.lineno, node.value))
    return sorted(hits)


def unmarked(paths: list[str] | None = None) -> list[str]:
    root = _root()
    if paths:
        files = [Path(p).resolve() for p in paths]
        expanded = []
        for path in files:
            expanded += sorted(path.rglob("*.py")) + sorted(path.rglob("*.html")) if path.is_dir() else [path]
        files = expanded
    else:
        files = sorted((root / "marketplace").rglob("*.py")) + sorted((root / "templates").rglob("*.html"))
    found = []
    for path in files:
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        if relative.startswith(NOT_UI):
            continue
        hits = unmarked_python(path) if path.suffix == ".py" else unmarked_template(path)
        found += [f"{relative}:{line}: {text[:90]!r}" for line, text in hits]
    return found


@click.group("i18n")
def i18n_group() -> None:
    """The English catalogue (marketplace/translations/en)."""


@i18n_group.command("build")
def build_command() -> None:
    found = build()
    click.echo(f"wrote {po_path()} and its .mo; {len(found)} problem(s)")
    for line in found[:200]:
        click.echo(line)


@i18n_group.command("check")
def check_command() -> None:
    found = check()
    for line in found[:200]:
        click.echo(line)
    sys.exit(1 if found else 0)


@i18n_group.command("unmarked")
@click.argument("paths", nargs=-1)
def unmarked_command(paths) -> None:
    found = unmarked(list(paths))
    for line in found:
        click.echo(line)
    click.echo(f"{len(found)} unmarked Chinese text(s)", err=True)
