"""双因素认证 pages: enrolment (/account/2fa), recovery codes, turning it off, and the login's second step
(/login/2fa). Staff kept on enrolment by MARKETPLACE_STAFF_2FA=required are confined here, in one hook."""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..db import db, keep_effect_even_on_rollback
from ..i18n import _, _l, ngettext
from ..security import events, sessions, throttle
from ..web import render
from . import totp, two_factor
from .models import AppUser
from .policy import permission

bp = Blueprint("two_factor", __name__)

# What a staff member kept on enrolment may still reach: the enrolment page itself, signing out, assets.
_OPEN_WHILE_ENROLLING = {"static", "two_factor.enrol", "two_factor.confirm", "auth.logout"}


class CodeForm(FlaskForm):
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码。")), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True})


class DisableForm(FlaskForm):
    password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("验证器中的6位验证码"), validators=[DataRequired(_l("请输入验证码。")), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


@bp.before_app_request
def confine_until_enrolled():
    """MARKETPLACE_STAFF_2FA=required: a staff session without a second factor reaches only enrolment."""
    if request.endpoint in _OPEN_WHILE_ENROLLING or not two_factor.enrolment_pending(current_user):
        return None
    target = url_for("two_factor.enrol")
    if request.headers.get("HX-Request"):  # htmx: a full-page visit, not a fragment swapped in
        return "", 204, {"HX-Redirect": target}
    return redirect(target, code=303)


def _throttle_key(user) -> str:
    return throttle.key("2fa", "account", str(user.id))


def _refusal(session, user):
    return throttle.refused(session, _throttle_key(user), delay_after=None, max_delay=0)


def _count_wrong_code(session, user) -> None:
    """Counted in the database even though the answer (422) rolls the request back."""
    config = current_app.config
    key = _throttle_key(user)
    keep_effect_even_on_rollback(session, lambda s: throttle.fail(
        s, key, lock_after=config["LOGIN_LOCK_AFTER"], lock_minutes=config["LOGIN_LOCK_MINUTES"]))


# Enrolment and management -------------------------------------------------------------------------------

def _enrol_page(user, *, form=None, status=200):
    session = db()
    if totp.is_enrolled(user):
        return render("auth/two_factor.html", user=user, enrolled=True, status=status,
                      remaining=totp.unused_recovery_codes(session, user), regenerate_form=form or CodeForm(),
                      disable_form=DisableForm(), may_disable=not (user.is_staff and two_factor.staff_2fa_required()))
    secret = totp.pending_secret(session, user)
    return render("auth/two_factor.html", user=user, enrolled=False, form=form or CodeForm(), status=status,
                  qr=totp.qr_svg(totp.provisioning_uri(user, secret)), grouped=totp.grouped(secret))


@bp.get("/account/2fa")
@permission("account.own")
def enrol():
    return _enrol_page(current_user)


@bp.post("/account/2fa")
@permission("account.own")
def confirm():
    session, user = db(), current_user
    form = CodeForm()
    if totp.is_enrolled(user):
        return redirect(url_for("two_factor.enrol"), code=303)
    if not form.validate_on_submit():
        return _enrol_page(user, form=form, status=422)
    if (refused := _refusal(session, user)) is not None:
        form.code.errors.append(refused.message)
        return _enrol_page(user, form=form, status=429)
    codes = totp.confirm(session, user, form.code.data)
    if codes is None:
        events.record(session, "2fa.enrol", outcome="failed", subject=user)
        _count_wrong_code(session, user)
        form.code.errors.append(_("验证码不正确或已使用，请输入验证器当前显示的6位数字。"))
        return _enrol_page(user, form=form, status=422)
    throttle.succeed(session, _throttle_key(user))
    events.record(session, "2fa.enrol", subject=user)
    # Enrolling proves the factor: this session counts as freshly re-authenticated.
    sessions.mark_reauthenticated(session)
    flash(_("双因素认证已启用。"), "success")
    return render("auth/recovery_codes.html", codes=codes)


@bp.post("/account/2fa/recovery-codes")
@permission("account.own")
def regenerate():
    """New recovery codes replace the old ones; a current code is needed, so a borrowed session alone
    cannot mint a way around the second factor."""
    session, user = db(), current_user
    if not totp.is_enrolled(user):
        return redirect(url_for("two_factor.enrol"), code=303)
    form = CodeForm()
    if not form.validate_on_submit():
        return _enrol_page(user, form=form, status=422)
    if (refused := _refusal(session, user)) is not None:
        form.code.errors.append(refused.message)
        return _enrol_page(user, form=form, status=429)
    if not totp.verify_code(session, user, form.code.data):
        events.record(session, "2fa.verify", outcome="failed", subject=user, purpose="recovery_codes")
        _count_wrong_code(session, user)
        form.code.errors.append(_("验证码不正确或已使用。"))
        return _enrol_page(user, form=form, status=422)
    throttle.succeed(session, _throttle_key(user))
    codes = totp.issue_recovery_codes(session, user)
    events.record(session, "2fa.recovery_codes", subject=user, rows=len(codes))
    flash(_("已生成新的恢复码，旧的恢复码全部作废。"), "success")
    return render("auth/recovery_codes.html", codes=codes)


@bp.post("/account/2fa/disable")
@permission("account.own")
def disable():
    session, user = db(), current_user
    if not totp.is_enrolled(user):
        return redirect(url_for("two_factor.enrol"), code=303)
    if user.is_staff and two_factor.staff_2fa_required():
        abort(403)
    form = DisableForm()
    if not form.validate_on_submit():
        return _disable_failed(user, form)
    if (refused := _refusal(session, user)) is not None:
        form.code.errors.append(refused.message)
        return _disable_failed(user, form, status=429)
    if not check_password_hash(user.password_hash, form.password.data or ""):
        form.password.errors.append(_("当前密码不正确。"))
    elif not totp.verify_code(session, user, form.code.data):
        form.code.errors.append(_("验证码不正确或已使用。"))
    if form.errors:
        events.record(session, "2fa.disable", outcome="failed", subject=user)
        _count_wrong_code(session, user)
        return _disable_failed(user, form)
    throttle.succeed(session, _throttle_key(user))
    totp.disable(session, user)
    events.record(session, "2fa.disable", subject=user)
    flash(_("双因素认证已停用，恢复码已作废。"), "success")
    return redirect(url_for("two_factor.enrol"), code=303)


def _disable_failed(user, form, status=422):
    session = db()
    return render("auth/two_factor.html", user=user, enrolled=True, status=status,
                  remaining=totp.unused_recovery_codes(session, user), regenerate_form=CodeForm(),
                  disable_form=form, may_disable=True)


# The login's second step --------------------------------------------------------------------------------

@bp.route("/login/2fa", methods=["GET", "POST"])
@permission("account.sign_in")
def second_step():
    state = two_factor.pending()
    session = db()
    user = session.get(AppUser, state["uid"]) if state else None
    if user is None or not user.is_active or not totp.is_enrolled(user):
        two_factor.finish()
        flash(_("登录已超时，请重新输入邮箱和密码。"), "info")
        return redirect(url_for("auth.login"), code=303)
    form = CodeForm()
    if not form.validate_on_submit():
        return render("auth/second_step.html", form=form, status=422 if form.is_submitted() else 200)
    if (refused := _refusal(session, user)) is not None:
        form.code.errors.append(refused.message)
        body, _code, headers = render("auth/second_step.html", form=form, status=429)
        return body, 429, {**headers, "Retry-After": str(refused.retry_after_seconds)}
    code = form.code.data
    if totp.looks_like_totp(code):
        ok = totp.verify_code(session, user, code)
        events.record(session, "2fa.verify", outcome="ok" if ok else "failed", actor=user, subject=user)
    else:
        ok = totp.use_recovery_code(session, user, code)
        events.record(session, "2fa.recovery_code", outcome="ok" if ok else "failed", actor=user, subject=user,
                      **({"left": totp.unused_recovery_codes(session, user)} if ok else {}))
    if not ok:
        _count_wrong_code(session, user)
        if two_factor.count_failure(state):
            flash(_("验证码错误次数过多，请重新输入邮箱和密码。"), "info")
            return redirect(url_for("auth.login"), code=303)
        form.code.errors.append(_("验证码不正确或已使用。"))
        return render("auth/second_step.html", form=form, status=422)
    throttle.succeed(session, _throttle_key(user))
    next_path = two_factor.finish()
    sessions.start_session(session, user)
    if not totp.looks_like_totp(code):
        left = totp.unused_recovery_codes(session, user)
        flash(ngettext("您使用了一个恢复码，还剩 %(num)s 个。恢复码用完前请在“双因素认证”页面重新生成。",
                       "您使用了一个恢复码，还剩 %(num)s 个。恢复码用完前请在“双因素认证”页面重新生成。", left), "info")
    flash(_("欢迎，%(name)s。", name=user.display_name), "success")
    from .views import _HOME_BY_ROLE

    return redirect(next_path or url_for(_HOME_BY_ROLE[user.role]), code=303)
