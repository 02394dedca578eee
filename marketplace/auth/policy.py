"""The one access policy, deny by default. Every route names a permission from POLICY with
`@permission("…")`; a route without one is refused at run time (and fails tests/auth/test_policy.py).

A permission says who may call the route (anyone, or signed-in roles), which staff duty it needs, whether
a recent re-authentication is required, and which object scope the view then decides through the one
access function for that object kind (auth/access.py, organizations/access.py, …)."""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..i18n import N_
from ..vocabulary import ROLES, STAFF_DUTIES

SIGNED_IN = frozenset(ROLES)
STAFF = frozenset({"staff"})
FULFILERS = frozenset({"charity", "volunteer"})
CHARITY = frozenset({"charity"})
VOLUNTEER = frozenset({"volunteer"})

# Object scope the view decides after the role check (documentation for the matrix test and readers):
# none (public data), self (the actor's own account), region (the object's region inside the staff
# member's subtree), organization (the actor's organisation), owner (the actor's own claim, pledge, sign-up).
SCOPES = {"none", "self", "region", "organization", "owner"}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: anyone, signed in or not
    duty: str | None = None  # a staff duty (vocabulary.STAFF_DUTIES) the caller must hold
    scope: str = "none"
    reauth: bool = False  # the caller proved who they are within REAUTH_MINUTES
    label: str = ""  # Chinese, marked with N_; translated where shown (error_ways.py)


POLICY: dict[str, Rule] = {
    # Public and account pages.
    "public.read": Rule(None, label=N_("公开页面")),
    "account.sign_in": Rule(None, label=N_("登录、注册、找回密码、接受邀请")),
    "ops.probe": Rule(None, label=N_("存活与就绪探针（/healthz、/readyz，不含任何数据）")),
    # Anyone, but only from MARKETPLACE_METRICS_ALLOW (operations/views.py); elsewhere it answers 404.
    "ops.metrics": Rule(None, label=N_("Prometheus 运行指标（/metrics，仅限配置的地址）")),
    # Anyone, but only in demo mode (demo/views.py); elsewhere it answers 404.
    "demo.mailbox": Rule(None, label=N_("演示邮箱（仅演示模式，列出演示环境收到的邮件）")),
    # Evidence photos and receipts (evidence/access.py decides: staff of the need's region, the submitting
    # organisation or volunteer). Open to anyone at the policy level on purpose: a visitor guessing a file's
    # URL must get the 404 a missing file gets, not a login redirect that confirms the file exists.
    "evidence.file": Rule(None, scope="region", label=N_("凭证照片与收据（本区划工作人员、提交的组织或志愿者）")),
    "ui.language": Rule(None, label=N_("切换界面语言（中文 / English）")),
    "account.own": Rule(SIGNED_IN, scope="self", label=N_("本人账号：登录设备、修改密码、通知设置、双因素认证")),
    # Fulfilers.
    "fulfil.claim": Rule(FULFILERS, scope="owner", label=N_("认领、开始帮扶、提交凭证、转交、释放")),
    "fulfil.pledge": Rule(CHARITY, scope="organization", label=N_("认捐与认捐凭证")),
    "fulfil.recommend": Rule(FULFILERS, scope="self", label=N_("为我推荐、服务意向")),
    "volunteer.self": Rule(VOLUNTEER, scope="owner", label=N_("志愿者资料、班次报名、服务记录")),
    "org.manage": Rule(CHARITY, scope="organization", label=N_("本组织成员与邀请（组织管理员）")),
    "shift.coordinate": Rule(frozenset({"staff", "charity"}), scope="region", label=N_("班次创建与取消、工时审核")),
    "shift.attend": Rule(frozenset({"staff", "charity", "volunteer"}), scope="owner",
                         label=N_("签到签退（志愿者本人或班次协调人）")),
    "contact.reveal": Rule(frozenset({"staff", "charity", "volunteer"}), scope="region", reauth=True,
                           label=N_("查看联系方式（依法定依据或同意，逐次记录）")),
    # Staff: reading inside their region needs no duty; acting needs the duty.
    "registry.read": Rule(STAFF, scope="region", label=N_("救助对象、救助链、需求管理、报表、访问日志")),
    "evaluation.read": Rule(STAFF, scope="region", label=N_("综合评估：各组织的确认率、满意度、按时率、退回率、核验用时")),
    "registry.import": Rule(STAFF, duty="registry_import", scope="region", label=N_("名单与救助发放导入")),
    "registry.move": Rule(STAFF, duty="registry_import", scope="region", label=N_("迁移户的行政区划")),
    # PIPL art. 45: everything held about a household, decrypted, in one file; the registry keepers' duty.
    "privacy.copy": Rule(STAFF, duty="registry_import", scope="region", reauth=True, label=N_("生成个人信息副本")),
    "need.post": Rule(STAFF, duty="need_posting", scope="region", label=N_("发布、撤销需求，登记更正")),
    # The staff who post a household's needs know the household: they hand it the slip with its code and
    # visit it afterwards. Verifiers check what those give; they do not produce it.
    "slip.issue": Rule(STAFF, duty="need_posting", scope="region",
                       label=N_("打印送达回执受助方联（含确认码）、重新出具确认码")),
    "followup.record": Rule(STAFF, duty="need_posting", scope="region", label=N_("记录回访（是否收到、满意度）")),
    "evidence.verify": Rule(STAFF, duty="verification", scope="region", label=N_("凭证与认捐核验")),
    "org.vet": Rule(STAFF, duty="org_vetting", scope="region", label=N_("组织审核")),
    "rules.configure": Rule(STAFF, duty="rules", scope="region", label=N_("重复规则、检索同义词、救助项目映射")),
    "accounts.manage": Rule(STAFF, duty="accounts", scope="region", label=N_("账号管理、职责授予")),
    "accounts.grant": Rule(STAFF, duty="accounts", scope="region", reauth=True, label=N_("创建账号、授予职责")),
    "security_log.read": Rule(STAFF, duty="accounts", scope="region", label=N_("安全日志")),
    "outbox.read": Rule(STAFF, scope="region", label=N_("邮件队列（查看、重试发送）")),
    # Both directions of 衔接 (issue 16).
    "offer.read": Rule(None, label=N_("慈善帮扶资源清单（公开，不含任何受助户）")),
    "offer.manage": Rule(CHARITY, scope="organization",
                         label=N_("发布与管理本组织的慈善项目，接受或谢绝定向转介的需求")),
    "offer.match": Rule(STAFF, scope="region", label=N_("查看服务本地的慈善项目及与之匹配的需求和名单户")),
    "offer.refer": Rule(STAFF, duty="need_posting", scope="region", label=N_("将需求定向转介给慈善项目")),
    "offer.ledger": Rule(STAFF, scope="region", reauth=True, label=N_("导出三级慈善帮扶资源台账")),
    "referral.file": Rule(FULFILERS, scope="owner", label=N_("向民政部门转介困难家庭，查看转介结果")),
    "referral.read": Rule(STAFF, scope="region", label=N_("转介给本地民政的困难家庭（查看个人信息逐次记录）")),
    "referral.decide": Rule(STAFF, duty="need_posting", scope="region", label=N_("记录转介办理结果，关联名单户")),
    "routing.configure": Rule(STAFF, duty="rules", scope="region", label=N_("分类推送规则：需求先推送哪个部门、多久")),
    "routing.answer": Rule(CHARITY, scope="organization", label=N_("政府部门办理推送的需求：已办理或退回")),
    # 工作台 and 月度衔接情况通报 (issue 17): figures of the actor's own region, no personal data.
    "dashboard.read": Rule(STAFF, scope="region", label=N_("工作台：本辖区今日待办与月度趋势")),
    "bulletin.read": Rule(STAFF, scope="region", label=N_("月度衔接情况通报（查看、打印、下载）")),
    "purchase.read": Rule(STAFF, scope="region", label=N_("政府购买服务项目及其进度")),
    "purchase.manage": Rule(STAFF, duty="purchasing", scope="region",
                            label=N_("登记政府购买服务项目，将服务需求分派给项目")),
    "data.export": Rule(STAFF, scope="region", reauth=True, label=N_("导出台账、报表、名单数据")),
}


def rule_for(name: str) -> Rule:
    return POLICY[name]


def allows(user, name: str) -> bool:
    """The role and duty part of the rule (object scope is the view's, through the access functions)."""
    rule = POLICY[name]
    if rule.roles is None:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in rule.roles:
        return False
    return rule.duty is None or user.has_duty(rule.duty)


def permission(name: str):
    """Declare and enforce a route's permission. Anonymous callers of a signed-in route go to the login
    page; signed-in callers without the role or duty get 403 (written to the security log)."""
    rule = POLICY[name]  # an unknown name fails at import, not at request time
    if rule.duty is not None and rule.duty not in STAFF_DUTIES:
        raise ValueError(f"{name}: unknown duty {rule.duty}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if rule.roles is not None and not current_user.is_authenticated:
                return _to_login()
            if not allows(current_user, name):
                abort(403)
            if rule.reauth:
                from . import reauth

                if not reauth.is_recent():
                    return reauth.ask(request.full_path)
            return view(*args, **kwargs)

        wrapper.permission = name
        return wrapper

    return decorate


def _to_login():
    """Flask-Login's redirect to the login page. After a form post, signing in returns to the page the form
    was on (its same-site Referer), not to the POST-only URL, which would answer 405."""
    from ..web import login_manager

    if request.method in ("GET", "HEAD"):
        return login_manager.unauthorized()
    referrer = urlsplit(request.referrer or "")
    back = referrer.path if referrer.netloc == request.host and referrer.path.startswith("/") else None
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=back), code=303)


def declared(view) -> str | None:
    return getattr(view, "permission", None)
