"""The footer's language switch (中文 / English): a plain form, so it works without JavaScript.

A signed-in account keeps the choice (it is also the language of its mail); a visitor gets the `lang`
cookie, which the page cache and shared caches vary on (i18n.locale_of_environ, http_cache)."""

from flask import Blueprint, redirect, request
from flask_login import current_user

from .. import i18n
from ..db import db
from . import two_factor
from .policy import permission

bp = Blueprint("language", __name__)


def _answer(chosen: str, back: str | None):
    response = redirect(two_factor.safe_path(back) or "/", code=303)
    if chosen in i18n.LOCALES:
        response.set_cookie(i18n.COOKIE, chosen, max_age=i18n.COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


@bp.route("/language/<locale>")
@permission("ui.language")
def choose(locale: str):
    """A visitor's switch: a link, because a publicly cached page carries no CSRF token. It only sets the
    visitor's own display cookie, so a forged link can do no more than change the language shown."""
    return _answer(locale, request.args.get("next"))


@bp.route("/language", methods=["POST"])
@permission("ui.language")
def switch():
    """A signed-in account's switch (CSRF-checked): the account keeps it, for its pages and its mail."""
    chosen = request.form.get("locale", "")
    if chosen in i18n.LOCALES and current_user.is_authenticated:
        current_user._get_current_object().locale = chosen
        db().flush()
    return _answer(chosen, request.form.get("next"))
