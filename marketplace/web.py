"""Request plumbing shared by every blueprint: extensions, page-or-fragment rendering, security headers,
error pages, template filters."""

import json
import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_htmx import HTMX
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import vocabulary
from .errors import DomainError
from .i18n import _, _l

log = logging.getLogger(__name__)

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

_HTTP_MESSAGES = {
    400: _l("请求无效。"),
    403: _l("您没有访问此页面的权限。"),
    404: _l("您要找的页面或记录不存在。"),
    405: _l("不支持该请求方式。"),
    409: _l("当前状态不允许此操作。"),
    413: _l("上传的文件太大。请拆分后分批导入，或联系管理员调整上限。"),
    414: _l("网址太长（超过 8 KB），请缩短查询条件后重试。"),
    500: _l("服务器出了点问题，操作未保存，请稍后再试。"),
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
    from .inputs import BoundedIntegerConverter

    # Before any blueprint adds its rules: /needs/99999999999999999999 is a 404, not a database overflow.
    app.url_map.converters["int"] = BoundedIntegerConverter
    htmx.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    from .security.cookies import HostAwareSessionInterface

    app.session_interface = HostAwareSessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(token: str):
        # The cookie holds a session token, never a user id: only a live server-side session signs in.
        from .db import db
        from .security import sessions

        return sessions.load_user(db(), token)

    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.globals.update(
        V=vocabulary, label=vocabulary.label, current_user=current_user,
    )
    from .auth.policy import allows

    # Links to a page the reader may not open are not shown (auth/policy.py decides, as for the route).
    app.jinja_env.globals["can"] = lambda name: allows(current_user, name)

    @app.before_request
    def _api_rate_limit():
        # Registered before every other hook (see api.views.rate_limited for why).
        if request.blueprint == "api":
            from .api.views import rate_limited

            return rate_limited()
        return None

    @app.before_request
    def _deny_undeclared():
        # Deny by default: a route that names no permission from auth/policy.POLICY is refused, not open.
        from .auth.policy import declared

        endpoint = request.endpoint
        if endpoint is not None and endpoint != "static" and declared(app.view_functions.get(endpoint)) is None:
            log.error("route %s declares no permission; refused", endpoint)
            abort(403)

    @app.after_request
    def _record_denial(response):
        # Every 403 (role or duty from @permission, Forbidden from an access function, an undeclared route)
        # leaves an access.denied row. Registered after db.init_app, so it runs before the commit hook,
        # which rolls the request back and writes the row again on its own.
        if response.status_code == 403:
            try:
                from .auth.policy import declared
                from .db import db
                from .security import events

                view = app.view_functions.get(request.endpoint or "")
                events.record(db(), "access.denied", outcome="denied", endpoint=request.endpoint,
                              method=request.method, permission=declared(view) if view else None)
            except Exception:  # the denial stands even if its record cannot be written
                log.exception("could not record access.denied on %s", request.path)
        return response

    @app.before_request
    def _check_inputs():
        from .inputs import check_request

        check_request(request)  # URL length, control characters (inputs.py)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.vary.add("HX-Request")  # one Vary header, merged with Cookie and Accept-Encoding
        if current_user.is_authenticated and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"  # a view's own no-store (evidence files) stands
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return _error_page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return _error_page(400, _("页面已过期或表单来源无效，请刷新页面后重试。"))

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
    from .error_ways import ways

    return render("errors/page.html", fragment="errors/_message.html", status=status,
                  status_code=status, message=message, ways=ways(status))


def nl2br(text: str) -> Markup:
    from markupsafe import escape

    return Markup("<br>").join(escape(text or "").split("\n"))
