"""本人账号: 登录设备 (one's own live sessions, each of which can be ended) and 修改密码."""

import re
from datetime import UTC

from flask import Blueprint, abort
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import N_, _, _l, minute
from ..security import sessions
from ..security.events import record
from ..security.models import UserSession
from ..web import done, render
from . import passwords
from .policy import permission

bp = Blueprint("account", __name__)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    password = PasswordField(_l("新密码（至少10位，不能包含邮箱用户名或姓名，不能是常见密码）"),
                             validators=[DataRequired(_l("请输入新密码。"))])
    confirm = PasswordField(_l("再次输入新密码"), validators=[DataRequired(_l("请再次输入新密码。")),
                                                         EqualTo("password", _l("两次输入的密码不一致。"))])


# Most specific first: Edge and Opera say "Chrome", Chrome says "Safari", WeChat's browser says all three.
_BROWSERS = (("MicroMessenger", N_("微信")), ("EdgA?/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone|iPad|iPod", "iOS"),
            ("Mac OS X|Macintosh", "macOS"), ("HarmonyOS", "HarmonyOS"), ("Linux", "Linux"))


def device_summary(user_agent: str) -> str:
    """「Chrome · Windows」 from a user-agent string; 未知设备 when nothing is recognised."""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent or "")), None)
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent or "")), None)
    return " · ".join(_(part) for part in (browser, system) if part) or _("未知设备")


def _when(value) -> str:
    from ..security.throttle import LOCAL

    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return minute(value.astimezone(LOCAL))


@bp.get("/account/sessions")
@permission("account.own")
def sessions_page():
    current = sessions.current_session()
    rows = sessions.live_sessions(db(), current_user)
    return render("account/sessions.html", rows=rows, current_id=current.id if current else None,
                  device=device_summary, when=_when)


@bp.post("/account/sessions/<int:session_id>/end")
@permission("account.own")
def end_session(session_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = db()
    row = session.get(UserSession, session_id)
    # Another account's session is answered like a missing one.
    if row is None or row.user_id != current_user.id or row.ended_at is not None:
        abort(404)
    current = sessions.current_session()
    sessions.end_session(session, row, "revoked")
    record(session, "session.end", subject=current_user, session_id=row.id, reason="revoked")
    if current is not None and current.id == row.id:
        from flask_login import logout_user

        message = _("已结束本设备的登录。")  # in the account's language, chosen before signing out
        logout_user()
        return done(message, "auth.login")
    return done(_("已结束该设备的登录。"), "account.sessions_page")


@bp.route("/account/password", methods=["GET", "POST"])
@permission("account.own")
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        session = db()
        user = current_user._get_current_object()
        if not check_password_hash(user.password_hash, form.current.data or ""):
            form.current.errors.append(_("当前密码不正确。"))
        else:
            try:
                passwords.set_password(session, user, form.password.data)
            except Invalid as error:
                form.password.errors.append(error.message)
            else:
                # Whoever knew the old password, or holds a copied cookie, is out; this browser gets a fresh
                # session (a new token) rather than keeping the old one.
                ended = sessions.end_user_sessions(session, user, "password.change")
                record(session, "password.change", subject=user, sessions_ended=ended)
                sessions.start_session(session, user)
                return done(_("密码已修改，其他设备上的登录已全部结束。"), "account.sessions_page")
        status = 422
    elif form.is_submitted():
        status = 422
    return render("account/password.html", form=form, status=status)
