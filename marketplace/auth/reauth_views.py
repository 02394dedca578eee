"""/account/reauth (重新验证身份): the password, and the TOTP code when enrolled, proven again on this
session; then back to a same-site `next`."""

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..db import db, keep_effect_even_on_rollback
from ..i18n import _, _l
from ..security import events, sessions, throttle
from ..web import render
from . import totp
from .policy import permission
from .two_factor import safe_path

bp = Blueprint("reauth", __name__)


class ReauthForm(FlaskForm):
    password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))],
                             render_kw={"autocomplete": "current-password", "autofocus": True})
    code = StringField(_l("验证器中的6位验证码"), validators=[Optional(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


def _key(user) -> str:
    return throttle.key("reauth", "account", str(user.id))


def _page(form, next_path, status=200):
    body, _code, headers = render("auth/reauth.html", form=form, next_path=next_path,
                                    needs_code=totp.is_enrolled(current_user), status=status)
    return body, status, headers


@bp.route("/account/reauth", methods=["GET", "POST"])
@permission("account.own")
def page():
    session, user = db(), current_user
    next_path = safe_path(request.args.get("next")) or url_for("needs.home")
    form = ReauthForm()
    if not form.validate_on_submit():
        return _page(form, next_path, 422 if form.is_submitted() else 200)
    key = _key(user)
    if (refused := throttle.refused(session, key, delay_after=None, max_delay=0)) is not None:
        form.password.errors.append(refused.message)
        body, _code, headers = _page(form, next_path, 429)
        return body, 429, {**headers, "Retry-After": str(refused.retry_after_seconds)}
    if not check_password_hash(user.password_hash, form.password.data or ""):
        form.password.errors.append(_("密码不正确。"))
    elif totp.is_enrolled(user) and not totp.verify_code(session, user, form.code.data or ""):
        form.code.errors.append(_("验证码不正确或已使用。"))
    if form.errors:
        events.record(session, "reauth", outcome="failed", subject=user)
        config = current_app.config
        # Counted even though the 422 rolls the request back: a borrowed session cannot guess freely.
        keep_effect_even_on_rollback(session, lambda s: throttle.fail(
            s, key, lock_after=config["LOGIN_LOCK_AFTER"], lock_minutes=config["LOGIN_LOCK_MINUTES"]))
        return _page(form, next_path, 422)
    throttle.succeed(session, key)
    sessions.mark_reauthenticated(session)
    events.record(session, "reauth", subject=user)
    return redirect(next_path, code=303)
