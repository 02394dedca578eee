"""Why an evidence form is not offered for a claim or pledge in its present state, in words the fulfiler
can act on. The evidence pages show this instead of the form (the back button after submitting lands on a
page that says the evidence is in, not on an empty form), and a resubmission is answered with it."""

from ..vocabulary import CLAIM_STATUSES, PLEDGE_STATUSES


def claim_state(claim) -> str | None:
    """None while the claim's evidence may be submitted (started), else what stands in the way."""
    if claim.status == "started":
        return None
    if claim.status == "active":
        return "尚未开始帮扶：请先在认领页面点击「开始帮扶」，帮扶完成后再提交凭证。"
    if claim.status == "submitted":
        return "凭证已提交，等待核验。无需重复提交；核验结果会通知您。"
    if claim.status == "completed":
        return "凭证已核验通过，该帮扶已记入受助户的救助链。无需再提交。"
    return f"该认领{CLAIM_STATUSES.get(claim.status, claim.status)}，不能再提交凭证。"


def pledge_state(pledge) -> str | None:
    if pledge.status == "pledged":
        return None
    if pledge.status == "submitted":
        return "凭证已提交，等待核验。无需重复提交；核验结果会通知您。"
    if pledge.status == "verified":
        return "凭证已核验通过，该认捐已记入受助户的救助链。无需再提交。"
    return f"该认捐{PLEDGE_STATUSES.get(pledge.status, pledge.status)}，不能再提交凭证。"
