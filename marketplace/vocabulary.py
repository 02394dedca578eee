"""The platform's controlled vocabulary (../shared/DOMAIN.md): codes in the data, Chinese in the UI."""

from .i18n import N_

TIERS = {
    "dibao": N_("低保对象"),
    "tekun": N_("特困人员"),
    "marginal": N_("低保边缘家庭"),
    "rigid_expense": N_("刚性支出困难家庭"),
    "monitored": N_("防止返贫监测对象"),
    "other": N_("其他困难人员"),
}

CATEGORIES = {
    "care": N_("生活照料"),
    "education": N_("助学"),
    "accessibility": N_("无障碍改造"),
    "medical": N_("医疗康复"),
    "housing": N_("住房修缮"),
    "employment": N_("就业帮扶"),
    "psychological": N_("心理疏导"),
    "goods": N_("生活物资"),
    "emergency": N_("急难救助"),
    "other": N_("其他"),
    # Cash for daily living (低保金, 特困供养金, 孤儿基本生活费, 高龄津贴), mostly government aid. Last, so the
    # search index's facet numbers (positions in this table) of the older categories stay valid.
    "basic_living": N_("基本生活"),
}

FORMS = {"money": N_("资金"), "goods": N_("物资"), "service": N_("服务"), "retrofit": N_("改造")}

URGENCIES = {"normal": N_("一般"), "soon": N_("较急"), "urgent": N_("紧急")}

HARDSHIPS = (
    N_("重病"), N_("重残"), N_("高龄"), N_("独居"), N_("失能"), N_("未成年"), N_("留守儿童"), N_("困境儿童"), N_("孤儿"), N_("单亲"), N_("失业"), N_("零就业家庭"),
)

NEED_STATUSES = {
    "draft": N_("草稿"),
    "open": N_("待认领"),
    "claimed": N_("已认领"),
    "in_progress": N_("帮扶中"),
    "submitted": N_("待核验"),
    "verified": N_("已核验"),
    "expired": N_("已过期"),
    "cancelled": N_("已撤销"),
}

CLAIM_STATUSES = {
    "active": N_("已认领"),
    "started": N_("执行中"),
    "submitted": N_("已提交凭证"),
    "completed": N_("已完成"),
    "released": N_("已放弃"),
    "expired": N_("已超时释放"),
    "rejected": N_("凭证未通过"),
    "cancelled": N_("需求已撤销"),
}

PLEDGE_STATUSES = {
    "pledged": N_("已认捐"),
    "submitted": N_("已提交凭证"),
    "verified": N_("已核验"),
    "rejected": N_("凭证未通过"),
    "withdrawn": N_("已撤回"),
    "cancelled": N_("需求已撤销或过期"),
}

ROLES = {"staff": N_("民政工作人员"), "charity": N_("慈善组织成员"), "volunteer": N_("志愿者")}
# Separate, assignable staff duties (least privilege): a staff account does only what it was granted.
STAFF_DUTIES = {
    "accounts": N_("账号管理"),
    "registry_import": N_("名单导入"),
    "need_posting": N_("需求发布"),
    "verification": N_("凭证核验"),
    "org_vetting": N_("组织审核"),
    "rules": N_("规则配置"),
    "purchasing": N_("购买服务"),
}

# 政府部门: departments (教育, 卫健/医保, 住建, …) join as organisations of this kind to receive routed needs.
ORG_KINDS = {"charity": N_("慈善组织"), "social_org": N_("社会组织"), "company": N_("企业"), "other": N_("其他"),
    "government": N_("政府部门"),
}

ORG_STATUSES = {"pending": N_("待审核"), "approved": N_("已认证"), "rejected": N_("未通过"), "suspended": N_("已暂停")}

ORG_ROLES = {"administrator": N_("管理员"), "coordinator": N_("协调员"), "member": N_("成员")}

LEDGER_SOURCES = {"government": N_("政府救助"), "charity": N_("慈善帮扶"), "volunteer": N_("志愿服务")}
# How the household confirmed receipt of aid verified through the platform (送达确认); "none" is shown as such
# on the chain and in the ledger export.
CONFIRMATIONS = {"code": N_("确认码"), "slip": N_("签收回执"), "visit": N_("回访"), "none": N_("未经受助方确认")}


def label(table: dict, code: str | None) -> str:
    """The name of a code in the reader's language (names are Chinese data, marked for extraction)."""
    from .i18n import translate

    return translate(table.get(code or "", code or ""))

AGE_BANDS = {"minor": N_("未成年人"), "adult": N_("18至59岁"), "senior": N_("60至79岁"), "elder": N_("80岁及以上")}

CONTACT_BASES = {
    "none": N_("未取得授权（由工作人员安排联系）"),
    "household_consent": N_("本户已书面同意向认领方提供联系方式"),
    "guardian_consent": N_("监护人已书面同意向认领方提供联系方式"),
}


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    if age < 18:
        return "minor"
    if age < 60:
        return "adult"
    return "senior" if age < 80 else "elder"


def size_band(members: int) -> str:
    """Household size as a band, so a listing never pins down one family."""
    if members <= 1:
        return N_("1人户")
    if members <= 3:
        return N_("2至3人户")
    if members <= 5:
        return N_("4至5人户")
    return N_("6人及以上户")


# What a row of the access log records someone doing with a household's private data.
ACCESS_ACTIONS = {"view_chain": N_("查看救助链与身份信息"), "need_form": N_("为该户发布需求"), "view_contact": N_("查看联系方式"),
                  "view_address": N_("查看服务地址"), "pi_copy": N_("生成个人信息副本"),
                  "evidence_file": N_("查看凭证文件"), "evidence_thumb": N_("查看凭证缩略图"),
                  "find_by_name": N_("按户主姓名查找"), "find_by_id": N_("按身份证号查找")}

# Volunteers (志愿者): the skills a service shift may require and the times a volunteer is usually free.
SKILLS = {
    "bathing": N_("助浴"), "escort": N_("陪诊"), "haircut": N_("理发"), "repair": N_("家电维修"), "companionship": N_("心理陪伴"),
    "tutoring": N_("课业辅导"), "driving": N_("驾驶"), "nursing": N_("护理"), "other": N_("其他"),
}
AVAILABILITY = {
    "weekday_morning": N_("工作日上午"), "weekday_afternoon": N_("工作日下午"), "weekday_evening": N_("工作日晚上"),
    "weekend_morning": N_("周末上午"), "weekend_afternoon": N_("周末下午"), "weekend_evening": N_("周末晚上"),
}
# Kinds of mail (notify/messages.py KINDS), as the 邮件队列 and 演示邮箱 pages name them.
MAIL_KINDS = {
    "org.approved": N_("组织审核通过"), "org.rejected": N_("组织审核未通过"), "org.suspended": N_("组织被暂停"),
    "org.invitation": N_("组织成员邀请"), "need.claimed": N_("需求被认领"), "need.pledged": N_("需求收到认捐"),
    "evidence.submitted": N_("帮扶凭证待核验"), "fulfilment.verified": N_("帮扶已核验"), "fulfilment.rejected": N_("凭证被退回"),
    "claim.expiring": N_("认领即将到期"), "claim.expired": N_("认领已到期释放"), "transfer.requested": N_("认领转交请求"),
    "transfer.accepted": N_("认领转交已接受"), "transfer.lapsed": N_("认领转交已失效"), "shift.reminder": N_("服务班次提醒"),
    "shift.promoted": N_("候补转为已报名"), "digest.daily": N_("每日需求摘要"), "password.reset": N_("重设密码"),
    "login.locked": N_("账号登录已锁定"), "need.routed": N_("需求推送部门办理"),
    "referral.filed": N_("新的困难家庭转介"), "referral.decided": N_("转介已有办理结果"),
    "offer.referred": N_("需求定向转介给本组织"), "bulletin.ready": N_("月度衔接情况通报已生成"),
}
IMPORT_STATUSES = {"queued": N_("排队中"), "running": N_("正在导入"), "done": N_("已完成"), "failed": N_("失败")}
SIGNUP_STATUSES = {"booked": N_("已报名"), "waitlisted": N_("候补"), "cancelled": N_("已取消")}
HOURS_STATUSES = {"pending": N_("待审核"), "approved": N_("已认定"), "declined": N_("未认定")}

# Government departments that receive routed needs (分类推送, routing/): Organization.department.
DEPARTMENTS = {
    "education": N_("教育部门"),
    "health": N_("卫健与医保部门"),
    "housing": N_("住建部门"),
    "hrss": N_("人社部门"),
    "disabled": N_("残联"),
    "union": N_("工会"),
    "women": N_("妇联"),
    "youth": N_("团委"),
}
# How civil affairs learned of a need (Need.source), required when posting and importing.
NEED_SOURCES = {
    "window": N_("窗口受理"),
    "hotline": N_("救助热线"),
    "visit": N_("入户走访"),
    "data_alert": N_("数据比对预警"),
    "application": N_("本人申请"),
    "social_referral": N_("社会力量转介"),
}
# Who paid for an entry of the chain (LedgerEntry.funding).
FUNDING = {
    "fiscal": N_("财政资金"),
    "purchase": N_("政府购买服务"),
    "charity": N_("慈善资金"),
    "corporate": N_("企业捐赠"),
    "volunteer": N_("志愿服务"),
}
# 双向转介: what civil affairs decided for a family referred to it (FamilyReferral.outcome).
REFERRAL_OUTCOMES = {
    "dibao": N_("纳入低保"),
    "tekun": N_("纳入特困"),
    "temporary": N_("临时救助"),
    "department": N_("转介相关部门"),
    "monitoring": N_("列入监测"),
    "ineligible": N_("不符合条件"),
}
REFERRAL_STATUSES = {"open": N_("待处理"), "decided": N_("已办结"), "withdrawn": N_("已撤回")}
OFFER_STATUSES = {"open": N_("进行中"), "closed": N_("已结束"), "withdrawn": N_("已撤回")}
NEED_REFERRAL_STATUSES = {"pending": N_("待答复"), "accepted": N_("已接受"), "declined": N_("已谢绝"),
                          "lapsed": N_("已过期"), "cancelled": N_("已取消")}
ROUTING_STATUSES = {"pending": N_("部门办理中"), "handled": N_("部门已办理"), "declined": N_("部门已退回"),
                    "lapsed": N_("办理期满")}
ROUTING_ANSWERS = {"handled": N_("已办理"), "not_ours": N_("不属于本部门"), "no_policy": N_("无对应政策")}
PURCHASE_STATUSES = {"active": N_("执行中"), "closed": N_("已结束")}
# Why an open need cannot be claimed by everyone (needs/holds.py), as the public listing says it.
HOLDS = {"referral": N_("已定向转介"), "routing": N_("部门办理中"), "purchase": N_("政府购买服务")}
