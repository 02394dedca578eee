from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, logout_user

from ..db import db
from ..forms import EmptyForm
from ..i18n import _
from ..security import login_throttle, sessions
from ..security.events import record
from ..security.sessions import start_session
from ..web import render
from . import service, two_factor
from .forms import LoginForm
from .policy import permission

bp = Blueprint("auth", __name__)

# Staff land on 工作台 (dashboard/): what waits for them today in their region.
_HOME_BY_ROLE = {"staff": "dashboard.index", "charity": "claims.mine", "volunteer": "claims.mine"}


@bp.route("/login", methods=["GET", "POST"])
@permission("account.sign_in")
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        session = db()
        # Refused before the password is looked at: while locked, the right password fails too.
        refused = login_throttle.refusal(session, form.email.data)
        if refused is not None:
            form.password.errors.append(refused.message)
            body, _code, headers = render("auth/login.html", form=form, status=429)
            return body, 429, {**headers, "Retry-After": str(refused.retry_after_seconds)}
        user = service.authenticate(session, form.email.data, form.password.data)
        if user is not None:
            login_throttle.succeeded(session, form.email.data)
            record(session, "login", actor=user, subject=user)
            if two_factor.second_step_required(user):  # a TOTP or recovery code, or enrolment first
                return two_factor.begin_second_step(user)
            start_session(session, user)
            flash(_("欢迎，%(name)s。", name=user.display_name), "success")
            return redirect(two_factor.safe_path(request.args.get("next")) or url_for(_HOME_BY_ROLE[user.role]), code=303)
        login_throttle.failed(session, form.email.data)
        form.password.errors.append(_("邮箱或密码不正确，或账号已停用。"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
@permission("account.own")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        session = db()
        current = sessions.current_session()
        if current is not None:
            sessions.end_session(session, current, "logout")
        record(session, "logout", subject=current_user)
        message = _("您已退出登录。")  # in the account's language, chosen before signing out
        logout_user()
        flash(message, "info")
    return redirect(url_for("needs.home"), code=303)
