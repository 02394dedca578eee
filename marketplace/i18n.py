"""The interface language: Chinese first, English second.

The Chinese text is the source: a msgid is the zh_CN wording, so a Chinese page needs no catalogue and
reads exactly as written, and `marketplace/translations/en` holds the English (`marketplace i18n build`
extracts, merges and compiles it; tests/i18n checks that every message has its English).

Which language a request gets: the signed-in account's setting (账号语言, also the language of its mail),
else the `lang` cookie the footer switch sets for visitors, else the browser's Accept-Language, else
Chinese. The anonymous choice depends only on the cookie and the header, so the public page cache
(page_cache.py) keys on `locale_of_environ` and shared caches are told `Vary: Accept-Language, Cookie`.

Codes in the data (vocabulary.py) stay codes and their Chinese names stay data: exports and imports keep
reading Chinese. Their names are marked with `N_` for extraction and translated when shown (`label`,
the `t` filter)."""

import re
from datetime import date, datetime
from http.cookies import SimpleCookie

from flask import has_request_context, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user
from markupsafe import Markup

LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT = "zh_CN"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
HAN = re.compile(r"[\u3400-\u9fff]")

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "N_", "gettext", "lazy_gettext", "ngettext", "current", "is_english"]


def N_(message: str) -> str:
    """Marks a string for extraction without translating it: a name kept as data, translated when shown."""
    return message


def _from_accept(header: str | None) -> str | None:
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    if not header:
        return None
    for value, _quality in parse_accept_header(header, LanguageAccept):
        tag = value.lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return None


def anonymous_locale(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LOCALES:
        return cookie
    return _from_accept(accept_language) or DEFAULT


def locale_of_environ(environ) -> str:
    """The language an anonymous request gets, read from the WSGI environ (the page cache runs before Flask)."""
    cookie = None
    raw = environ.get("HTTP_COOKIE")
    if raw and COOKIE + "=" in raw:
        try:
            morsel = SimpleCookie(raw).get(COOKIE)
            cookie = morsel.value if morsel else None
        except Exception:  # a malformed Cookie header chooses nothing
            cookie = None
    return anonymous_locale(cookie, environ.get("HTTP_ACCEPT_LANGUAGE"))


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT  # the worker and commands: mail picks its own language per recipient
    try:
        user = current_user._get_current_object()
    except Exception:
        user = None
    if user is not None and getattr(user, "is_authenticated", False):
        chosen = getattr(user, "locale", None)
        if chosen in LOCALES:
            return chosen
    return anonymous_locale(request.cookies.get(COOKIE), request.headers.get("Accept-Language"))


def current() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def is_english() -> bool:
    return current() == "en"


def html_lang() -> str:
    return "en" if is_english() else "zh-CN"


def translate(text) -> str:
    """A name kept as data (a vocabulary entry marked with N_), in the reader's language."""
    if text is None:
        return ""
    text = str(text)
    return gettext(text) if text else text


# Dates and amounts per locale. Chinese keeps the ISO-like forms civil-affairs systems print
# (2026-11-29 14:05); English spells the month, which no reader can confuse with a day.
def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if is_english():
        return f"{value.day} {value.strftime('%b')} {value.year}"
    return value.strftime("%Y-%m-%d")


def minute(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{day(value)} {value.strftime('%H:%M')}"


def second(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{day(value)} {value.strftime('%H:%M:%S')}"


def money(fen: int | None) -> str:
    """An amount in fen as people read it: 1,234.5 元 in Chinese, ¥1,234.50 in English."""
    if fen is None:
        return ""
    if is_english():
        return f"¥{fen / 100:,.2f}" if fen % 100 else f"¥{fen // 100:,}"
    from .web import yuan

    return f"{yuan(fen)} 元"


def lang_attr(text) -> Markup:
    """` lang="zh-CN"` on an English page for an element holding Chinese data (a stored mail subject, a
    default text in an edit box), so screen readers read it as Chinese; nothing otherwise."""
    if text and is_english() and HAN.search(str(text)):
        return Markup(' lang="zh-CN"')
    return Markup("")


babel = Babel()


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(_translations_dir()))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(t=translate, day=day, minute=minute, second=second, money=money, lang_attr=lang_attr)
    app.jinja_env.globals.update(html_lang=html_lang, is_english=is_english, LOCALES=LOCALES, N_=N_)


def _translations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "translations"
