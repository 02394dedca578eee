"""Why an evidence form is not offered for a claim or pledge in its present state, in words the fulfiler
can act on. The evidence pages show this instead of the form (the back button after submitting lands on a
page that says the evidence is in, not on an empty form), and a resubmission is answered with it."""

from ..i18n import _
from ..vocabulary import CLAIM_STATUSES, PLEDGE_STATUSES, label


def claim_state(claim) -> str | None:
    """None while the claim's evidence may be submitted (started), else what stands in the way."""
    if claim.status == "started":
        return None
    if claim.status == "active":
        return _("尚未开始帮扶：请先在认领页面点击「开始帮扶」，帮扶完成后再提交凭证。")
    if claim.status == "submitted":
        return _("凭证已提交，等待核验。无需重复提交；核验结果会通知您。")
    if claim.status == "completed":
        return _("凭证已核验通过，该帮扶已记入受助户的救助链。无需再提交。")
    return _("该认领%(status)s，不能再提交凭证。", status=label(CLAIM_STATUSES, claim.status))


def pledge_state(pledge) -> str | None:
    if pledge.status == "pledged":
        return None
    if pledge.status == "submitted":
        return _("凭证已提交，等待核验。无需重复提交；核验结果会通知您。")
    if pledge.status == "verified":
        return _("凭证已核验通过，该认捐已记入受助户的救助链。无需再提交。")
    return _("该认捐%(status)s，不能再提交凭证。", status=label(PLEDGE_STATUSES, pledge.status))
