from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_user, logout_user

from ..db import db
from ..forms import EmptyForm
from ..web import render
from . import service
from .forms import LoginForm

bp = Blueprint("auth", __name__)

_HOME_BY_ROLE = {"staff": "registry.households", "charity": "claims.mine", "volunteer": "claims.mine"}


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = service.authenticate(db(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"欢迎，{user.display_name}。", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for(_HOME_BY_ROLE[user.role]), code=303)
        form.password.errors.append("邮箱或密码不正确，或账号已停用。")
        status = 422
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("您已退出登录。", "info")
    return redirect(url_for("needs.home"), code=303)
