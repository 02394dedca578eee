"""Scans staff-written text before it is published: ID numbers, phone numbers and the household's own
name are refused, with a message that says where they were found."""

import re

from ..errors import Invalid

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}[- ]?\d{7,8}(?![0-9])")

FIELD_LABELS = {"title": "标题", "description": "需求描述"}


def scan(fields: dict[str, str], names: tuple[str, ...] = ()) -> None:
    """Raise Invalid on the first field that carries identifying data."""
    for field, text in fields.items():
        if not text:
            continue
        where = FIELD_LABELS.get(field, field)
        if match := _ID_NUMBER.search(text):
            raise Invalid(f"{where}第{match.start() + 1}个字符处疑似身份证号，公开信息不得包含身份证号。", field)
        for pattern in (_MOBILE, _LANDLINE):
            if match := pattern.search(text):
                raise Invalid(f"{where}第{match.start() + 1}个字符处疑似电话号码，联系方式只在认领后按授权提供。", field)
        for name in names:
            if name and len(name) >= 2 and name in text:
                raise Invalid(f"{where}第{text.index(name) + 1}个字符处出现了该户人员姓名，公开信息须去标识化。", field)
