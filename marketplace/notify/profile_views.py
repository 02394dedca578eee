"""通知设置 (language, daily digest, reminders) and the signed one-click unsubscribe link."""

from flask import Blueprint, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import N_, _, _l
from ..recommend.profile import ServiceProfile, region_choices
from ..web import csrf, done, render
from . import subscriptions, tokens

bp = Blueprint("notify_profile", __name__)

TOPIC_NAMES = {"digest": N_("每日新需求摘要"), "reminders": N_("班次提醒"), "bulletin": N_("月度衔接情况通报")}  # translated where shown


class NotificationForm(FlaskForm):
    # Each language is named in itself (中文, English), as language choosers do.
    locale = RadioField(_l("界面与邮件语言"), choices=[SelectChoice(code, name) for code, name in subscriptions.LOCALES.items()],
                        default="zh_CN")
    digest_enabled = BooleanField(_l("每天接收一封新需求摘要邮件"))
    # Checked by subscriptions.save against the vocabulary and the region table, which names the problem.
    categories = SelectMultipleField(_l("关注的需求类别"), validate_choice=False)
    regions = SelectMultipleField(_l("关注的地区"), validate_choice=False)
    reminders_enabled = BooleanField(_l("班次开始前24小时提醒我"))
    # Shown to staff only; the service ignores it for anyone else.
    bulletin_enabled = BooleanField(_l("每月1日接收本辖区月度衔接情况通报的邮件"))


def _home(user) -> str | None:
    if user.region_code:
        return user.region_code
    if user.organization_id:
        from ..organizations.models import Organization

        org = db().get(Organization, user.organization_id)
        return org.region_code if org else None
    return None


@bp.route("/profile/notifications", methods=["GET", "POST"])
@permission("account.own")
def settings():
    session = db()
    row = subscriptions.subscription_of(session, current_user.id)
    form = NotificationForm()
    if not form.is_submitted():
        form.locale.data = current_user.locale if current_user.locale in subscriptions.LOCALES else "zh_CN"
        form.digest_enabled.data, form.reminders_enabled.data = row.digest_enabled, row.reminders_enabled
        form.bulletin_enabled.data = row.bulletin_enabled
    if form.validate_on_submit():
        choice = subscriptions.Choice(form.locale.data, form.digest_enabled.data, form.categories.data or [],
                                      form.regions.data or [], form.reminders_enabled.data,
                                      form.bulletin_enabled.data if current_user.role == "staff" else None)
        try:
            subscriptions.save(session, current_user, choice)
        except Invalid as error:
            getattr(form, error.field or "categories", form.categories).errors.append(error.message)
        else:
            return done(_("通知设置已保存。"), "notify_profile.settings")
    submitted = form.is_submitted()
    chosen_categories = set(form.categories.data or []) if submitted else set(row.categories.split())
    chosen_regions = set(form.regions.data or []) if submitted else set(row.regions.split())
    declared = ServiceProfile(frozenset(), tuple(chosen_regions), _home(current_user), None)
    return render("notify/profile_notifications.html", form=form, status=422 if submitted else 200,
                  chosen_categories=chosen_categories, chosen_regions=chosen_regions,
                  counties=region_choices(session, declared))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@permission("public.read")
@csrf.exempt  # the signed token is the proof; RFC 8058 mail clients POST without any page or cookie
def unsubscribe(token: str):
    found = tokens.read_unsubscribe(token)
    if found is None or found[1] not in subscriptions.TOPICS:
        return render("notify/unsubscribe_invalid.html", status=400)
    user_id, topic = found
    from ..auth.models import AppUser

    if db().get(AppUser, user_id) is None:
        return render("notify/unsubscribe_invalid.html", status=400)
    if request.method != "POST":
        return render("notify/unsubscribe_confirm.html", token=token, topic=TOPIC_NAMES[topic])
    subscriptions.turn_off(db(), user_id, topic)
    return render("notify/unsubscribe_done.html", topic=TOPIC_NAMES[topic])
