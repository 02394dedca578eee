"""/staff/aid-items: the 救助项目 → category table, unmapped items first, and the form to map one."""

from flask import Blueprint, flash, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import AppUser
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..i18n import N_, ngettext
from ..web import done, render
from . import service
from .forms import AidItemForm

bp = Blueprint("aid_items", __name__)
ORIGINS = {"default": N_("默认"), "staff": N_("工作人员添加"), "import": N_("导入时发现")}


def _page(form: AidItemForm, status: int = 200):
    session = db()
    items = service.listing(session)
    editors = {i.updated_by_id for i in items if i.updated_by_id}
    names = dict(session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(editors))).all()) \
        if editors else {}
    return render("aid_items/index.html", items=items, form=form, names=names, origins=ORIGINS,
                  unmapped=sum(1 for i in items if i.category is None),
                  can_edit=len(current_user.region_code or "") <= 6, status=status)


@bp.get("/staff/aid-items")
@permission("rules.configure")
def index():
    pattern = request.args.get("pattern", "")[:60]
    form = AidItemForm(formdata=None, pattern=pattern)
    chosen = next((i for i in service.listing(db()) if i.pattern == pattern), None)
    if chosen is not None and chosen.category:
        form.category.data, form.goods_kind.data = chosen.category, chosen.goods_kind or ""
    return _page(form)


@bp.post("/staff/aid-items")
@permission("rules.configure")
def save():
    form = AidItemForm()
    if form.validate_on_submit():
        try:
            saved = service.save_item(db(), current_user, form.pattern.data, category=form.category.data,
                                      goods_kind=form.goods_kind.data)
        except Invalid as error:
            getattr(form, error.field, form.pattern).errors.append(error.message)
        else:
            refiled = saved.refiled
            message = ngettext("救助项目「%(pattern)s」已保存；本辖区重新归类 %(num)s 条救助记录（以更正记录追加）。",
                               "救助项目「%(pattern)s」已保存；本辖区重新归类 %(num)s 条救助记录（以更正记录追加）。",
                               refiled.done, pattern=saved.item.pattern)
            if refiled.remaining:
                flash(ngettext("还有 %(num)s 条待归类，请再次保存该项目继续。", "还有 %(num)s 条待归类，请再次保存该项目继续。",
                               refiled.remaining), "info")
            return done(message, "aid_items.index")
    return _page(form, status=422)
