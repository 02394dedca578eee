"""我的组织 for members, and the invitation link an invitee opens."""

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..auth.models import AppUser
from ..auth.policy import permission
from ..db import db
from ..errors import Invalid, NotFound
from ..forms import EmptyForm
from ..i18n import _, current
from ..privacy.vault import vault
from ..recommend.profile import region_names
from ..security import throttle
from ..security.sessions import start_session
from ..vocabulary import ORG_ROLES, label
from ..web import done, render
from . import members as svc
from . import service
from .access import ADMIN, org_role
from .forms import AcceptForm, InviteForm, RoleForm
from .models import Organization

bp = Blueprint("my_org", __name__)


def _my_org() -> Organization:
    org = db().get(Organization, current_user.organization_id) if current_user.organization_id else None
    if org is None:
        abort(404)
    return org


def _page(invite_form=None, link: str | None = None, status: int = 200):
    session = db()
    org = _my_org()
    is_admin = org_role(current_user) == ADMIN
    people = svc.members(session, current_user, org)
    return render("organizations/mine.html", org=org, members=people, is_admin=is_admin, link=link,
                  invite_form=invite_form or InviteForm(formdata=None),
                  role_forms={m.id: RoleForm(prefix=f"m{m.id}", formdata=None, role=org_role(m)) for m in people},
                  invitations=svc.pending_invitations(session, current_user, org) if is_admin else [],
                  contact=service.contact_of(current_user, org, vault()), action_form=EmptyForm(),
                  names=region_names(session, {org.region_code, *org.service_regions.split()}), status=status)


@bp.get("/organization")
@permission("org.manage")
def mine():
    return _page()


@bp.post("/organization/invitations")
@permission("org.manage")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            _invitation, token = svc.invite(db(), current_user, _my_org(), form.email.data, form.role.data)
        except Invalid as error:
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            # The token is not stored, so the link is shown now, on this response, and never again.
            link = url_for("my_org.invitation", token=token, _external=True)
            return _page(link=link, status=201)
    return _page(form, status=422)


@bp.post("/organization/members/<int:user_id>/role")
@permission("org.manage")
def change_role(user_id: int):
    form = RoleForm(prefix=f"m{user_id}")
    if not form.validate_on_submit():
        raise Invalid(_("页面已过期，请刷新后重试。"))
    session = db()
    member = svc.change_role(session, current_user, _my_org(), session.get(AppUser, user_id), form.role.data)
    return done(_("已将 %(name)s 的角色改为%(role)s。", name=member.display_name, role=label(ORG_ROLES, member.org_role)),
                "my_org.mine")


@bp.post("/organization/members/<int:user_id>/remove")
@permission("org.manage")
def remove(user_id: int):
    if not EmptyForm().validate_on_submit():
        raise Invalid(_("页面已过期，请刷新后重试。"))
    session = db()
    member = svc.remove(session, current_user, _my_org(), session.get(AppUser, user_id))
    if member.id == current_user.id:
        return done(_("您已退出该组织。"), "needs.home")
    return done(_("已将 %(name)s 移出本组织。", name=member.display_name), "my_org.mine")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@permission("account.sign_in")
def invitation(token: str):
    session = db()
    # Guessing links: wrong tokens are counted per client address, and past the limit refused unread.
    refused = throttle.invitation_refusal(session)
    if refused is not None:
        return throttle.too_many(refused)
    try:
        inv = svc.open_invitation(session, token)
    except NotFound:
        throttle.invitation_failed(session)
        raise
    org = session.get(Organization, inv.organization_id)
    signed_in = current_user.is_authenticated
    form = EmptyForm() if signed_in else AcceptForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            if signed_in:
                svc.accept_existing(session, current_user, token)
            else:
                joined = svc.accept_new(session, token, form.display_name.data, form.password.data)
                joined.locale = current()  # the language the invitee accepted in: their pages' and their mail's
                start_session(session, joined)
        except Invalid as error:
            getattr(form, error.field or "display_name").errors.append(error.message)
        else:
            return done(_("您已加入「%(name)s」。", name=org.name), "my_org.mine")
    status = 422 if request.method == "POST" else 200
    return render("organizations/invitation.html", inv=inv, org=org, form=form, signed_in=signed_in,
                  token=token, status=status)


@bp.app_context_processor
def _organization_notice():
    """Members of an organisation that is not approved see why on every page, not only on 我的组织."""
    def notice():
        if not current_user.is_authenticated or current_user.role != "charity" or not current_user.organization_id:
            return None
        try:
            org = db().get(Organization, current_user.organization_id)
        except SQLAlchemyError:  # an error page after a failed flush: show the error, not a second one
            return None
        return org if org is not None and org.status != "approved" else None

    def kind():
        """The signed-in member's organisation kind (a 政府部门's members get its routed needs in the menu)."""
        if not current_user.is_authenticated or current_user.role != "charity" or not current_user.organization_id:
            return None
        try:
            org = db().get(Organization, current_user.organization_id)
        except SQLAlchemyError:
            return None
        return org.kind if org is not None else None

    return {"organization_notice": notice, "my_org_kind": kind}
