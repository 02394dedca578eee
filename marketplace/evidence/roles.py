"""What each kind of evidence file is, and which a need's form asks for (issue 14: money — receipt; goods —
delivery photo; retrofit — before and after photos; service — optional photos)."""

from ..i18n import N_

ROLES = {
    "receipt": N_("收据或转账凭证"),
    "delivery": N_("交付照片"),
    "before": N_("改造前照片"),
    "after": N_("改造后照片"),
    "slip": N_("签收回执照片"),
    "photo": N_("其他照片"),
}

# Offered on the evidence form of each need form, in this order.
ROLES_BY_FORM = {
    "money": ("receipt", "slip", "photo"),
    "goods": ("delivery", "slip", "receipt", "photo"),
    "service": ("photo", "slip"),
    "retrofit": ("before", "after", "receipt", "slip", "photo"),
}

# At least one live file of each of these before the evidence can be submitted.
REQUIRED_BY_FORM = {
    "money": ("receipt",),
    "goods": ("delivery",),
    "service": (),
    "retrofit": ("before", "after"),
}
