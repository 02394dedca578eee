"""What the public tables' keys mean, shared by the page, the CSV, /api/v1/stats and the 通报: the payload
stores keys (transparency/figures.py), the reader's language is chosen when they are shown."""

from ..i18n import N_

# Who delivered a chain entry, as the public reads it: the ledger's source, except that an entry paid by a
# government purchase project (funding "purchase") is its own kind, beside charity aid.
DELIVERY_SOURCES = {"government": N_("政府救助"), "charity": N_("慈善帮扶"), "volunteer": N_("志愿服务"),
                    "purchase": N_("政府购买服务")}

MEASURES = {
    "posted": N_("已发布需求"), "claimed": N_("被认领"), "fulfilled": N_("已核验完成"), "expired": N_("到期未认领"),
    "days_to_claim": N_("发布至认领（中位天数）"), "days_to_verify": N_("发布至核验（中位天数）"),
    "money_yuan": N_("资金（元）"), "goods": N_("物资（件）"), "hours": N_("服务时长（小时）"),
    "households": N_("受助户数"), "entries": N_("帮扶记录"),
    "organizations": N_("活跃组织"), "volunteers": N_("活跃志愿者"),
    "flagged": N_("重点关注户"), "reached": N_("近6个月得到帮扶"), "share": N_("覆盖率（%）"),
}

TABLES = {
    "needs_by_area": N_("各地需求发布情况（按类别）"),
    "needs_by_month": N_("需求办理进度（按月）"),
    "days_by_month": N_("响应时间（按月）"),
    "delivered_by_source": N_("帮扶成效（按来源）"),
    "money_by_month": N_("帮扶资金（按月、按来源）"),
    "participation": N_("社会力量参与"),
    "flagged_reach": N_("重点关注户覆盖情况"),
}

THRESHOLD = 5  # a published cell stands for at least this many households
