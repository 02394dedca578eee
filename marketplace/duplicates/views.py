"""/staff/rules: the duplicate-aid rules, one per category, listed and edited by staff administrators."""

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import AppUser
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import _
from ..web import done, render
from . import rules
from .forms import RuleForm

bp = Blueprint("duplicates", __name__)


def _page(forms: dict[str, RuleForm], status: int = 200):
    session = db()
    all_rules = rules.all_rules(session)
    editors = {r.updated_by_id for r in all_rules if r.updated_by_id}
    names = dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(editors))).all()) \
        if editors else {}
    for rule in all_rules:
        forms.setdefault(rule.category, RuleForm(prefix=rule.category, formdata=None, obj=rule))
    return render("duplicates/rules.html", rules=all_rules, forms=forms, names=names, kinds=rules.KINDS,
                  can_edit=len(current_user.region_code or "") <= 6, status=status)


@bp.get("/staff/rules")
@permission("rules.configure")
def index():
    return _page({})


@bp.post("/staff/rules/<category>")
@permission("rules.configure")
def update(category: str):
    form = RuleForm(prefix=category)
    if form.validate_on_submit():
        try:
            rules.update_rule(db(), current_user, category, kind=form.kind.data, window_days=form.window_days.data,
                              active=form.active.data, explanation=form.explanation.data)
        except Invalid as error:
            getattr(form, error.field, form.explanation).errors.append(error.message)
        else:
            return done(_("重复救助规则已保存。"), "duplicates.index")
    return _page({category: form}, status=422)
