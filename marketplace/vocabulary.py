"""The platform's controlled vocabulary (../shared/DOMAIN.md): codes in the data, Chinese in the UI."""

TIERS = {
    "dibao": "低保对象",
    "tekun": "特困人员",
    "marginal": "低保边缘家庭",
    "rigid_expense": "刚性支出困难家庭",
    "monitored": "防止返贫监测对象",
    "other": "其他困难人员",
}

CATEGORIES = {
    "care": "生活照料",
    "education": "助学",
    "accessibility": "无障碍改造",
    "medical": "医疗康复",
    "housing": "住房修缮",
    "employment": "就业帮扶",
    "psychological": "心理疏导",
    "goods": "生活物资",
    "emergency": "急难救助",
    "other": "其他",
    # Cash for daily living (低保金, 特困供养金, 孤儿基本生活费, 高龄津贴), mostly government aid. Last, so the
    # search index's facet numbers (positions in this table) of the older categories stay valid.
    "basic_living": "基本生活",
}

FORMS = {"money": "资金", "goods": "物资", "service": "服务", "retrofit": "改造"}

URGENCIES = {"normal": "一般", "soon": "较急", "urgent": "紧急"}

HARDSHIPS = (
    "重病", "重残", "高龄", "独居", "失能", "未成年", "留守儿童", "困境儿童", "孤儿", "单亲", "失业", "零就业家庭",
)

NEED_STATUSES = {
    "draft": "草稿",
    "open": "待认领",
    "claimed": "已认领",
    "in_progress": "帮扶中",
    "submitted": "待核验",
    "verified": "已核验",
    "expired": "已过期",
    "cancelled": "已撤销",
}

CLAIM_STATUSES = {
    "active": "已认领",
    "started": "执行中",
    "submitted": "已提交凭证",
    "completed": "已完成",
    "released": "已放弃",
    "expired": "已超时释放",
    "rejected": "凭证未通过",
    "cancelled": "需求已撤销",
}

PLEDGE_STATUSES = {
    "pledged": "已认捐",
    "submitted": "已提交凭证",
    "verified": "已核验",
    "rejected": "凭证未通过",
    "withdrawn": "已撤回",
    "cancelled": "需求已撤销或过期",
}

ROLES = {"staff": "民政工作人员", "charity": "慈善组织成员", "volunteer": "志愿者"}
# Separate, assignable staff duties (least privilege): a staff account does only what it was granted.
STAFF_DUTIES = {
    "accounts": "账号管理",
    "registry_import": "名单导入",
    "need_posting": "需求发布",
    "verification": "凭证核验",
    "org_vetting": "组织审核",
    "rules": "规则配置",
}

ORG_KINDS = {"charity": "慈善组织", "social_org": "社会组织", "company": "企业", "other": "其他"}

ORG_STATUSES = {"pending": "待审核", "approved": "已认证", "rejected": "未通过", "suspended": "已暂停"}

ORG_ROLES = {"administrator": "管理员", "coordinator": "协调员", "member": "成员"}

LEDGER_SOURCES = {"government": "政府救助", "charity": "慈善帮扶", "volunteer": "志愿服务"}
# How the household confirmed receipt of aid verified through the platform (送达确认); "none" is shown as such
# on the chain and in the ledger export.
CONFIRMATIONS = {"code": "确认码", "slip": "签收回执", "visit": "回访", "none": "未经受助方确认"}


def label(table: dict, code: str | None) -> str:
    return table.get(code or "", code or "")

AGE_BANDS = {"minor": "未成年人", "adult": "18至59岁", "senior": "60至79岁", "elder": "80岁及以上"}

CONTACT_BASES = {
    "none": "未取得授权（由工作人员安排联系）",
    "household_consent": "本户已书面同意向认领方提供联系方式",
    "guardian_consent": "监护人已书面同意向认领方提供联系方式",
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
        return "1人户"
    if members <= 3:
        return "2至3人户"
    if members <= 5:
        return "4至5人户"
    return "6人及以上户"


# What a row of the access log records someone doing with a household's private data.
ACCESS_ACTIONS = {"view_chain": "查看救助链与身份信息", "need_form": "为该户发布需求", "view_contact": "查看联系方式",
                  "view_address": "查看服务地址", "pi_copy": "生成个人信息副本",
                  "evidence_file": "查看凭证文件", "evidence_thumb": "查看凭证缩略图",
                  "find_by_name": "按户主姓名查找", "find_by_id": "按身份证号查找"}

# Volunteers (志愿者): the skills a service shift may require and the times a volunteer is usually free.
SKILLS = {
    "bathing": "助浴", "escort": "陪诊", "haircut": "理发", "repair": "家电维修", "companionship": "心理陪伴",
    "tutoring": "课业辅导", "driving": "驾驶", "nursing": "护理", "other": "其他",
}
AVAILABILITY = {
    "weekday_morning": "工作日上午", "weekday_afternoon": "工作日下午", "weekday_evening": "工作日晚上",
    "weekend_morning": "周末上午", "weekend_afternoon": "周末下午", "weekend_evening": "周末晚上",
}
# Kinds of mail (notify/messages.py KINDS), as the 邮件队列 and 演示邮箱 pages name them.
MAIL_KINDS = {
    "org.approved": "组织审核通过", "org.rejected": "组织审核未通过", "org.suspended": "组织被暂停",
    "org.invitation": "组织成员邀请", "need.claimed": "需求被认领", "need.pledged": "需求收到认捐",
    "evidence.submitted": "帮扶凭证待核验", "fulfilment.verified": "帮扶已核验", "fulfilment.rejected": "凭证被退回",
    "claim.expiring": "认领即将到期", "claim.expired": "认领已到期释放", "transfer.requested": "认领转交请求",
    "transfer.accepted": "认领转交已接受", "transfer.lapsed": "认领转交已失效", "shift.reminder": "服务班次提醒",
    "shift.promoted": "候补转为已报名", "digest.daily": "每日需求摘要", "password.reset": "重设密码",
    "login.locked": "账号登录已锁定",
}
IMPORT_STATUSES = {"queued": "排队中", "running": "正在导入", "done": "已完成", "failed": "失败"}
SIGNUP_STATUSES = {"booked": "已报名", "waitlisted": "候补", "cancelled": "已取消"}
HOURS_STATUSES = {"pending": "待审核", "approved": "已认定", "declined": "未认定"}
