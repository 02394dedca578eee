"""统一社会信用代码 (GB 32100-2015) checked with python-stdnum, refused with a message that says exactly
what is wrong, so a clerk copying the code from a licence can find the typo."""

from stdnum.cn import uscc

from ..errors import Invalid
from ..i18n import _

LENGTH = 18
# GB 32100 uses digits and capital letters except I, O, Z, S and V (easily confused with 1, 0, 2, 5, U).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_EXCLUDED = "IOZSV"


def normalise(raw: str | None) -> str:
    """What people type: spaces, hyphens, lower case and full-width characters from a Chinese IME."""
    text = (raw or "").strip()
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return uscc.compact(text.replace("\u3000", ""))


def check(raw: str | None) -> str:
    """The normalised code, or Invalid("…", "uscc") naming the first problem found."""
    code = normalise(raw)
    if not code:
        raise Invalid(_("请填写统一社会信用代码。"), "uscc")
    if len(code) != LENGTH:
        raise Invalid(_("统一社会信用代码应为%(length)s位，您填写的有%(count)s位。", length=LENGTH, count=len(code)), "uscc")
    for position, char in enumerate(code, start=1):
        if char in _EXCLUDED:
            raise Invalid(_("第%(position)s位「%(char)s」无效：统一社会信用代码不使用字母 I、O、Z、S、V。",
                                    position=position, char=char), "uscc")
        if char not in ALPHABET:
            raise Invalid(_("第%(position)s位「%(char)s」无效：统一社会信用代码只含数字和大写字母。",
                                    position=position, char=char), "uscc")
    # python-stdnum requires digits in the authority, type and region positions (1–8).
    for position, char in enumerate(code[:8], start=1):
        if not char.isdigit():
            raise Invalid(_("第%(position)s位「%(char)s」无效：前8位（登记管理部门、机构类别和登记地行政区划）应为数字。",
                            position=position, char=char), "uscc")
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise Invalid(_("统一社会信用代码校验不通过：按前17位计算，第18位校验码应为 %(expected)s，实为 %(actual)s。"
                        "请核对营业执照或登记证书。", expected=expected, actual=code[17]), "uscc")
    return uscc.validate(code)
