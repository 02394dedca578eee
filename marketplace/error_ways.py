"""Ways on from an error page (403, 404, 409, …): back to the page the reader came from (a same-site
Referer only, and not the failing page itself), their role's work lists, and for a 403 the permission the
page needs, in words (auth/policy.py's label, its roles and duty). Not only 返回首页."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import request, url_for
from flask_login import current_user

from .i18n import N_, _, translate
from .vocabulary import ROLES, STAFF_DUTIES, label

# What each role works from, first its home (auth.views sends them there after signing in).
_WORK = {
    "staff": [("dashboard.index", N_("工作台")), ("registry.households", N_("救助对象")),
              ("fulfilment.queue", N_("核验队列"))],
    "charity": [("claims.mine", N_("我的认领")), ("pledges.mine", N_("我的认捐"))],
    "volunteer": [("claims.mine", N_("我的认领")), ("volunteer_records.mine", N_("我的服务"))],
}


@dataclass
class Ways:
    back: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, label)
    missing: str | None = None  # for a 403: what the page needs, in words


def ways(status: int) -> Ways:
    found = Ways(back=_back())
    try:
        found.links = _work_links()
        if status == 403:
            found.missing = _missing()
    except Exception:  # an error page must render even when the request is broken (no endpoint, no user)
        pass
    return found


def _back() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path == request.path:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _work_links() -> list[tuple[str, str]]:
    from .auth.policy import allows

    if not current_user.is_authenticated:
        return [(url_for("needs.index"), _("帮扶需求")), (url_for("auth.login"), _("登录"))]
    links = []
    for endpoint, name in _WORK.get(current_user.role, []):
        view = _view(endpoint)
        if view is not None and allows(current_user, getattr(view, "permission", "public.read")):
            links.append((url_for(endpoint), translate(name)))
    return links


def _missing() -> str | None:
    from flask import current_app

    from .auth.policy import POLICY

    name = getattr(current_app.view_functions.get(request.endpoint or ""), "permission", None)
    rule = POLICY.get(name or "")
    if rule is None:
        return None
    who = _("、").join(label(ROLES, r) for r in ROLES if rule.roles is None or r in rule.roles)
    text = _("此页面用于「%(purpose)s」，需要的身份：%(roles)s", purpose=translate(rule.label), roles=who)
    if rule.duty:
        text += _("，并须被授予「%(duty)s」职责", duty=label(STAFF_DUTIES, rule.duty))
    if current_user.is_authenticated:
        text += _("。您当前的身份是%(role)s", role=label(ROLES, current_user.role))
    return text + _("。如确需办理，请联系本单位的账号管理员。")


def _view(endpoint: str):
    from flask import current_app

    return current_app.view_functions.get(endpoint)
