"""/staff/synonyms: the search synonym list, one group per line."""

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.policy import permission
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import _
from ..web import done, render
from .models import SynonymGroup
from .synonyms import replace_groups

bp = Blueprint("search", __name__)


def _page(text: str | None = None, error: str | None = None, status: int = 200):
    groups = list(db().scalars(select(SynonymGroup.terms).order_by(SynonymGroup.id)))
    return render("search/synonyms.html", text="\n".join(groups) if text is None else text, error=error,
                  groups=len(groups), can_edit=len(current_user.region_code or "") <= 6, form=EmptyForm(),
                  status=status)


@bp.get("/staff/synonyms")
@permission("rules.configure")
def synonyms():
    return _page()


@bp.post("/staff/synonyms")
@permission("rules.configure")
def save_synonyms():
    form = EmptyForm()
    text = request.form.get("groups", "")
    if not form.validate_on_submit():
        return _page(text, _("表单已过期，请重新提交。"), 400)
    try:
        count = replace_groups(db(), current_user, text)
    except Invalid as error:
        return _page(text, error.message, 422)
    return done(_("同义词表已保存，共%(count)s组。检索即时生效。", count=count), "search.synonyms")
