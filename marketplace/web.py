"""Request plumbing shared by every blueprint: extensions, page-or-fragment rendering, security headers,
error pages, template filters."""

import json
import logging

from flask import flash, redirect, render_template, request, url_for
from flask_htmx import HTMX
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import vocabulary
from .errors import DomainError

log = logging.getLogger(__name__)

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

_HTTP_MESSAGES = {
    400: "请求无效。",
    403: "您没有访问此页面的权限。",
    404: "您要找的页面或记录不存在。",
    405: "不支持该请求方式。",
    409: "当前状态不允许此操作。",
    413: "上传的文件太大。请拆分后分批导入，或联系管理员调整上限。",
    500: "服务器出了点问题，操作未保存，请稍后再试。",
}


def wants_fragment() -> bool:
    """htmx asked for a piece of the page (not a boosted navigation or a history restore)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, *, fragment: str | None = None, status: int = 200, trigger: str | None = None, **ctx):
    body = render_template(fragment if fragment and wants_fragment() else template, **ctx)
    headers = {}
    if trigger and wants_fragment():
        headers["HX-Trigger"] = json.dumps({trigger: True})
    return body, status, headers


def done(message: str, endpoint: str, *, trigger: str | None = None, **values):
    """After a successful change: post/redirect/get for plain forms, a redirect htmx follows too."""
    flash(message, "success")
    target = url_for(endpoint, **values)
    if wants_fragment():
        headers = {"HX-Redirect": target}
        if trigger:
            headers["HX-Trigger"] = json.dumps({trigger: True})
        return "", 204, headers
    return redirect(target, code=303)


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen / 100:,.2f}".rstrip("0").rstrip(".") if fen % 100 else f"{fen // 100:,}"


def init_app(app) -> None:
    htmx.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(user_id: str):
        from .auth.models import AppUser
        from .db import db

        user = db().get(AppUser, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None

    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.globals.update(
        V=vocabulary, label=vocabulary.label, current_user=current_user,
    )

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.add("Vary", "HX-Request")
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return _error_page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return _error_page(400, "页面已过期或表单来源无效，请刷新页面后重试。")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code == 401:
            return login_manager.unauthorized()
        return _error_page(error.code or 500, _HTTP_MESSAGES.get(error.code, error.description))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_page(500, _HTTP_MESSAGES[500])


def _error_page(status: int, message: str):
    return render("errors/page.html", fragment="errors/_message.html", status=status,
                  status_code=status, message=message)


def nl2br(text: str) -> Markup:
    from markupsafe import escape

    return Markup("<br>").join(escape(text or "").split("\n"))
