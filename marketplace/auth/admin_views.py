"""User administration for staff: the accounts of their region, new accounts, (de)activation."""

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import found
from ..auth.decorators import staff_required
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..organizations.models import Organization
from ..web import done, render
from . import service
from .forms import NewUserForm
from .models import AppUser

bp = Blueprint("users", __name__)


def _page(form, status=200):
    session = db()
    users = service.users_in_scope(session, current_user)
    org_ids = {u.organization_id for u in users if u.organization_id}
    orgs = {o.id: o.name for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
    return render("auth/users.html", users=users, orgs=orgs, form=form, action_form=EmptyForm(), status=status)


@bp.route("/staff/users", methods=["GET", "POST"])
@staff_required
def index():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = service.create_user_as(
                db(), current_user, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, role=form.role.data,
                region_code=(form.region_code.data or "").strip() or None, organization_id=form.organization_id.data,
            )
        except Invalid as error:
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            return done(f"已创建账号 {user.email}。", "users.index")
    return _page(form, 422 if request.method == "POST" else 200)


@bp.post("/staff/users/<int:user_id>/active")
@staff_required
def set_active(user_id: int):
    if not EmptyForm().validate_on_submit():
        raise Invalid("页面已过期，请刷新后重试。")
    session = db()
    user = found(session.get(AppUser, user_id), "账号")
    active = request.form.get("active") == "1"
    service.set_active(session, current_user, user, active)
    return done(f"账号 {user.email} 已{'启用' if active else '停用'}。", "users.index")
