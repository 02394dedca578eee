"""居民身份证号 (GB 11643) checks: 18 characters, ISO 7064 MOD 11-2 check character, a real birth date not
in the future, a valid province prefix. The area code need not have existed in the birth year (boundaries
change), so python-stdnum's full ric.validate is too strict; its province table is used."""

import re
from datetime import date

from ..i18n import _

_SHAPE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
}


class IdNumberError(ValueError):
    """The reason that an ID number is not valid, in the reader's language (Chinese outside a request)."""


def normalise(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate(raw: str, today: date | None = None) -> tuple[str, date]:
    """The normalised number and the birth date, or IdNumberError saying what is wrong."""
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError(_("身份证号应为18位，实际为%(length)s位", length=len(number)))
    if not _SHAPE.match(number):
        raise IdNumberError(_("身份证号前17位须为数字，最后一位为数字或X"))
    if number[:2] not in PROVINCES:
        raise IdNumberError(_("身份证号前两位「%(prefix)s」不是有效的省级代码", prefix=number[:2]))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("身份证号中的出生日期「%(born)s」不存在", born=number[6:14])) from None
    if born > (today or date.today()):
        raise IdNumberError(_("身份证号中的出生日期「%(born)s」晚于今天", born=born.isoformat()))
    if born.year < 1890:
        raise IdNumberError(_("身份证号中的出生日期「%(born)s」不合理", born=born.isoformat()))
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(_("身份证号校验位错误（应为%(expected)s），请核对是否录入有误", expected=expected))
    return number, born


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except IdNumberError:
        return False
    return True
