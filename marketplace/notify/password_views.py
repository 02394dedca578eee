"""忘记密码: ask for a link by e-mail, then choose a new password through it."""

from flask import Blueprint, flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import N_, _, _l
from ..security import throttle
from ..security.events import record
from ..web import render
from . import password_reset

bp = Blueprint("password", __name__)

SENT = N_("如果该邮箱已注册，我们已向它发送重设密码的链接（1小时内有效）。请查收邮件，包括垃圾邮件文件夹。")


class ForgotForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请输入电子邮箱。"))])


class ResetForm(FlaskForm):
    password = PasswordField(_l("新密码（至少10位）"), validators=[DataRequired(_l("请输入新密码。")),
                                                           Length(min=10, message=_l("密码至少10位。"))])
    confirm = PasswordField(_l("再次输入新密码"), validators=[DataRequired(_l("请再次输入新密码。")),
                                                        EqualTo("password", _l("两次输入的密码不一致。"))])


@bp.route("/password/forgot", methods=["GET", "POST"])
@permission("account.sign_in")
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        # Per account (known or not: the same answer either way) and per address, before any mail.
        refused = throttle.count_reset_request(db(), form.email.data)
        if refused is not None:
            return throttle.too_many(refused)
        password_reset.request_reset(db(), form.email.data)
        # The same answer whether or not the address has an account (no account enumeration).
        flash(_(SENT), "info")
        return redirect(url_for("password.forgot"), code=303)
    return render("notify/password_forgot.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@permission("account.sign_in")
def reset(token: str):
    session = db()
    user = password_reset.user_for(session, token)
    if user is None:
        return render("notify/password_reset_invalid.html", status=400)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(session, user, form.password.data)
        except Invalid as error:
            form.password.errors.append(error.message)
        else:
            record(session, "password.reset", actor=user, subject=user)
            flash(_("密码已重设，请用新密码登录。"), "success")
            return redirect(url_for("auth.login"), code=303)
    return render("notify/password_reset.html", form=form, token=token,
                  status=422 if form.is_submitted() else 200)
