"""Mail rendering with Jinja, independent of any request: the worker and housekeeping render outside one.

Each kind has one template per language (templates/mail/<lang>/<kind>.txt) with three blocks: `subject`,
`body` (plain text, paragraphs separated by a blank line) and `action` (the label of the link back). The
plain-text and HTML bodies are both built from that one source by the shared layouts, so the two can never
say different things. The HTML is plain semantic markup: no scripts, no external images or fonts."""

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..resources import resource_dir

PLATFORM = {"zh": "善桥 Shanqiao 社会救助帮扶对接平台", "en": "Shanqiao (善桥) social assistance matching platform"}
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _env(html: bool) -> Environment:
    # StrictUndefined: a context missing a field fails the test that renders it, not a user's inbox.
    return Environment(loader=FileSystemLoader(str(resource_dir("templates"))), autoescape=html,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _block(template, name: str, context) -> str:
    return "".join(template.blocks[name](context)).strip()


def render(kind: str, lang: str, context: dict) -> Rendered:
    """`context` must hold `url` (absolute link back); `unsubscribe_url` is optional."""
    template = _env(False).get_template(f"mail/{lang}/{kind}.txt")
    ctx = template.new_context(dict(context))
    subject = " ".join(_block(template, "subject", ctx).split())
    body = _block(template, "body", ctx)
    action = _block(template, "action", ctx)
    paragraphs = [" ".join(p.split("\n")) if not p.startswith("- ") else p
                  for p in (part.strip() for part in body.split("\n\n")) if p]
    layout = {"lang": lang, "subject": subject, "body": body, "paragraphs": paragraphs, "action": action,
              "url": context["url"], "unsubscribe_url": context.get("unsubscribe_url"),
              "platform": PLATFORM[lang]}
    text = _env(False).get_template("mail/layout.txt").render(layout)
    html = _env(True).get_template("mail/layout.html").render(layout)
    return Rendered(subject=f"【善桥】{subject}" if lang == "zh" else f"[Shanqiao] {subject}", text=text, html=html)
