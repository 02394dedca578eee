"""账号管理 for staff holding the accounts duty: the accounts of their region, new accounts, a staff
account's duties and region, (de)activation. The rules live in auth/administration.py."""

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import found
from ..db import db
from ..errors import Invalid
from ..forms import EmptyForm
from ..i18n import N_, _
from ..organizations.models import Organization
from ..web import done, render
from . import administration
from .forms import NewUserForm, StaffAccountForm
from .models import AppUser
from .policy import permission

bp = Blueprint("users", __name__)


def _page(form, status=200):
    session = db()
    users = administration.users_in_scope(session, current_user)
    org_ids = {u.organization_id for u in users if u.organization_id}
    orgs = {o.id: o.name for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
    staff_forms = {u.id: StaffAccountForm(prefix=f"u{u.id}", formdata=None, duties=sorted(u.duty_set),
                                          region_code=u.region_code)
                   for u in users if u.role == "staff" and u.id != current_user.id}
    return render("auth/users.html", users=users, orgs=orgs, form=form, action_form=EmptyForm(),
                  staff_forms=staff_forms, grantable=administration.grantable_duties(current_user), status=status)


@bp.get("/staff/users")
@permission("accounts.manage")
def index():
    return _page(NewUserForm(formdata=None))


@bp.post("/staff/users")
@permission("accounts.grant")
def create():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = administration.create_user_as(
                db(), current_user, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, role=form.role.data,
                region_code=(form.region_code.data or "").strip() or None, organization_id=form.organization_id.data,
                duties=form.duties.data or [],
            )
        except Invalid as error:
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            return done(_("已创建账号 %(email)s。", email=user.email), "users.index")
    return _page(form, 422)


@bp.post("/staff/users/<int:user_id>/staff")
@permission("accounts.grant")
def update_staff(user_id: int):
    """One staff account's duties and region. Duties the administrator does not hold are shown disabled, so
    the browser does not send them: the account keeps those as they were. One sent anyway is a grant, and
    refused by the service."""
    session = db()
    user = found(session.get(AppUser, user_id), N_("账号"))
    administration.check_staff_account(session, current_user, user)  # scope first: 403 before any form error
    form = StaffAccountForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        errors = form.region_code.errors or [_("页面已过期，请刷新后重试。")]
        raise Invalid(str(errors[0]), "region_code")
    duties = set(form.duties.data or []) | (user.duty_set - set(administration.grantable_duties(current_user)))
    administration.set_region(session, current_user, user, form.region_code.data.strip())
    administration.set_duties(session, current_user, user, duties)
    return done(_("已更新账号 %(email)s 的职责和负责区划。", email=user.email), "users.index")


@bp.post("/staff/users/<int:user_id>/active")
@permission("accounts.manage")
def set_active(user_id: int):
    if not EmptyForm().validate_on_submit():
        raise Invalid(_("页面已过期，请刷新后重试。"))
    session = db()
    user = found(session.get(AppUser, user_id), N_("账号"))
    active = request.form.get("active") == "1"
    administration.set_active(session, current_user, user, active)
    return done(_("账号 %(email)s 已启用。", email=user.email) if active else _("账号 %(email)s 已停用。", email=user.email),
                "users.index")
