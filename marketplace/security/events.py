"""The security log (安全日志): one append-only row per security-relevant act, written even when the
request that caused it fails (a refused login, a denied page), like the access log."""

from flask import has_request_context, request
from flask_login import current_user
from sqlmodel import Session

from ..db import keep_even_on_rollback
from ..i18n import N_
from .models import SecurityEvent

# Every kind the platform writes, with its label on the 安全日志 page (Chinese data, translated where shown;
# the CSV keeps it). A kind not listed here is a bug.
KINDS = {
    "login": N_("登录"),
    "referral.contact": N_("查看转介家庭的联系方式"),
    "login.locked": N_("登录锁定"),
    "logout": N_("退出登录"),
    "session.end": N_("会话结束"),
    "password.change": N_("修改密码"),
    "password.reset_request": N_("申请重置密码"),
    "password.reset": N_("重置密码"),
    "2fa.enrol": N_("启用双因素认证"),
    "2fa.verify": N_("双因素认证"),
    "2fa.recovery_code": N_("使用恢复码"),
    "2fa.disable": N_("停用双因素认证"),
    "2fa.recovery_codes": N_("重新生成恢复码"),
    "2fa.recovery_codes_revoked": N_("恢复码因数据密钥轮换失效"),
    "keys.rotate": N_("轮换数据密钥"),
    "backup": N_("备份数据库"),
    "reauth": N_("重新验证身份"),
    "account.create": N_("创建账号"),
    "account.activate": N_("启用账号"),
    "account.deactivate": N_("停用账号"),
    "account.duties": N_("变更职责"),
    "account.scope": N_("变更行政区划"),
    "account.organization": N_("变更所属组织或组织角色"),
    "access.denied": N_("拒绝访问"),
    "throttle": N_("请求过于频繁"),
    "export": N_("导出"),
    "download": N_("下载"),
    "rules.change": N_("规则配置变更"),
    "synonyms.change": N_("同义词变更"),
    "registry.import": N_("名单导入"),
    "aid.import": N_("救助发放导入"),
    "needs.import": N_("需求清单导入"),
    "household.move": N_("迁移户籍区划"),
    "retention.purge": N_("按保存期限清除个人信息"),
    "pi_copy": N_("生成个人信息副本"),
    "registration": N_("注册"),
    "invitation.accept": N_("接受邀请"),
}

OUTCOMES = {"ok": N_("成功"), "failed": N_("失败"), "denied": N_("拒绝"), "locked": N_("锁定")}


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(session: Session, kind: str, *, outcome: str = "ok", actor=None, subject=None,
           region_code: str | None = None, rows: int | None = None, **detail) -> SecurityEvent:
    """Write one event. `actor` defaults to the signed-in user; `region_code` (which staff see the row)
    defaults to the subject's region, else the actor's. `detail` holds ids, codes and counts, never a
    secret or an identity."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if region_code is None:
        region_code = _region_of(session, subject) or _region_of(session, actor)
    row = SecurityEvent(
        kind=kind, outcome=outcome, actor_id=getattr(actor, "id", None), subject_user_id=getattr(subject, "id", None),
        region_code=region_code, ip=client_ip(), path=request.path[:255] if has_request_context() else None,
        rows=rows, detail=detail,
    )
    keep_even_on_rollback(session, row)
    return row


def _region_of(session: Session, user) -> str | None:
    if user is None:
        return None
    if user.region_code:
        return user.region_code
    if getattr(user, "organization_id", None):
        from ..organizations.models import Organization

        org = session.get(Organization, user.organization_id)
        return org.region_code if org else None
    return None
