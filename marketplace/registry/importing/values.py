"""Parsing one cell into the value stored, or a FieldError whose message (in Chinese) tells staff what
to fix. Messages never repeat a phone number or a full ID number: they may be shown on screen."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ...vocabulary import HARDSHIPS, TIERS


class FieldError(ValueError):
    pass


_TIER_WORDS = {
    "低保": "dibao", "低保对象": "dibao",
    "特困": "tekun", "特困人员": "tekun",
    "低保边缘": "marginal", "低保边缘家庭": "marginal",
    "刚性支出困难": "rigid_expense", "刚性支出困难家庭": "rigid_expense",
    "防止返贫监测": "monitored", "防止返贫监测对象": "monitored",
    "其他": "other", "其他困难人员": "other",
}
_TIER_CHOICES = "、".join(("低保", "特困", "低保边缘", "刚性支出困难", "防止返贫监测", "其他"))


def tier(text: str) -> str:
    code = _TIER_WORDS.get(text) or (text.lower() if text.lower() in TIERS else None)
    if code is None:
        raise FieldError(f"救助类别「{text}」无效，应为：{_TIER_CHOICES}（或对应代码）")
    return code


def members(text: str) -> int:
    if not re.fullmatch(r"\d{1,2}", text) or not 1 <= int(text) <= 30:
        raise FieldError("家庭人口应为1至30之间的整数")
    return int(text)


_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


def phone(text: str) -> str | None:
    compact = re.sub(r"[\s\u3000]", "", text)
    if not compact:
        return None
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    if _LANDLINE.fullmatch(compact):
        return compact
    raise FieldError("联系电话格式不正确，应为11位手机号或带区号的固定电话（如0558-7212345）")


_HARDSHIP_SEPARATORS = re.compile(r"[；;、,，]")


def hardships(text: str) -> list[str]:
    given = [part.strip() for part in _HARDSHIP_SEPARATORS.split(text)]
    given = [part for part in given if part]
    unknown = [part for part in dict.fromkeys(given) if part not in HARDSHIPS]
    if unknown:
        raise FieldError(f"困难情形「{'、'.join(unknown)}」不在可选范围内（可选：{'、'.join(HARDSHIPS)}）")
    chosen = set(given)
    return [flag for flag in HARDSHIPS if flag in chosen]  # vocabulary order: the same flags, the same value


_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))")


def day(text: str, header: str, today: date) -> date:
    match = _DATE.fullmatch(text)
    if not match:
        raise FieldError(f"{header}「{text}」格式不正确，应为2021-03-07或2021/3/7")
    year, month, dom = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
    try:
        value = date(int(year), int(month), int(dom))
    except ValueError:
        raise FieldError(f"{header}「{text}」不是有效的日期") from None
    if value > today:
        raise FieldError(f"{header}「{text}」晚于今天")
    if value.year < 1950:
        raise FieldError(f"{header}「{text}」过早，请核对")
    return value


MAX_AMOUNT_FEN = 100_000_000  # 100万元: a larger single payment is a typo (often an ID number in the wrong column)


def amount_fen(text: str) -> int:
    compact = re.sub(r"[\s,，元]", "", text)
    if not re.fullmatch(r"\d+(?:\.\d{1,2})?", compact):
        raise FieldError("金额应为以元为单位的数字，最多两位小数（如1250或1250.50）")
    try:
        fen = int(Decimal(compact) * 100)
    except InvalidOperation:
        raise FieldError("金额应为以元为单位的数字，最多两位小数（如1250或1250.50）") from None
    if fen <= 0:
        raise FieldError("金额应大于0")
    if fen > MAX_AMOUNT_FEN:
        raise FieldError("金额超过100万元，请核对")
    return fen


def text(value: str, header: str, limit: int) -> str:
    if len(value) > limit:
        raise FieldError(f"{header}过长（最多{limit}个字）")
    return value


def name(value: str) -> str:
    if re.search(r"\d", value):
        raise FieldError("户主姓名中不应有数字，请检查各列是否错位")
    return text(value, "户主姓名", 40)
