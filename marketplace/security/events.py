"""The security log (安全日志): one append-only row per security-relevant act, written even when the
request that caused it fails (a refused login, a denied page), like the access log."""

from flask import has_request_context, request
from flask_login import current_user
from sqlmodel import Session

from ..db import keep_even_on_rollback
from .models import SecurityEvent

# Every kind the platform writes, with its label on the 安全日志 page. A kind not listed here is a bug.
KINDS = {
    "login": "登录",
    "login.locked": "登录锁定",
    "logout": "退出登录",
    "session.end": "会话结束",
    "password.change": "修改密码",
    "password.reset_request": "申请重置密码",
    "password.reset": "重置密码",
    "2fa.enrol": "启用双因素认证",
    "2fa.verify": "双因素认证",
    "2fa.recovery_code": "使用恢复码",
    "2fa.disable": "停用双因素认证",
    "2fa.recovery_codes": "重新生成恢复码",
    "2fa.recovery_codes_revoked": "恢复码因数据密钥轮换失效",
    "keys.rotate": "轮换数据密钥",
    "backup": "备份数据库",
    "reauth": "重新验证身份",
    "account.create": "创建账号",
    "account.activate": "启用账号",
    "account.deactivate": "停用账号",
    "account.duties": "变更职责",
    "account.scope": "变更行政区划",
    "account.organization": "变更所属组织或组织角色",
    "access.denied": "拒绝访问",
    "throttle": "请求过于频繁",
    "export": "导出",
    "download": "下载",
    "rules.change": "规则配置变更",
    "synonyms.change": "同义词变更",
    "registry.import": "名单导入",
    "aid.import": "救助发放导入",
    "needs.import": "需求清单导入",
    "household.move": "迁移户籍区划",
    "retention.purge": "按保存期限清除个人信息",
    "pi_copy": "生成个人信息副本",
    "registration": "注册",
    "invitation.accept": "接受邀请",
}

OUTCOMES = {"ok": "成功", "failed": "失败", "denied": "拒绝", "locked": "锁定"}


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
