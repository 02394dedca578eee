"""Scans staff-written text before it is published: a checksum-valid ID number, a phone number, or the
household's own name or address is refused, with the offending span shown."""

import re
from dataclasses import dataclass

from ..errors import Invalid
from ..registry.idcard import is_valid as is_valid_id

_ID_LIKE = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}[- ]?\d{7,8}(?![0-9])")
# The most specific part of an address: what follows the last township, street or village marker.
_ADDRESS_TAIL = re.compile(r"(?:镇|乡|街道|村|社区|路|街)([^镇乡村]{2,})$")

FIELD_LABELS = {"title": "标题", "description": "需求描述", "item_key": "物品", "override_reason": "一事一议理由"}


@dataclass(frozen=True)
class Identity:
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @classmethod
    def of(cls, household, vault) -> "Identity | None":
        if vault is None or household is None:
            return None
        name, address = vault.decrypt(household.head_name_enc), vault.decrypt(household.address_enc)
        fragments = []
        if address:
            fragments.append(address)
            if tail := _ADDRESS_TAIL.search(address):
                fragments.append(tail.group(1))
        return cls(tuple(n for n in (name,) if n), tuple(fragments))


def _refuse(where: str, text: str, start: int, end: int, what: str, field: str) -> Invalid:
    return Invalid(f"{where}第{start + 1}至{end}个字符「{text[start:end]}」{what}", field)


def scan(fields: dict[str, str], identity: Identity | None = None) -> None:
    """Raise Invalid on the first identifying span in any field."""
    for field, text in fields.items():
        if not text:
            continue
        where = FIELD_LABELS.get(field, field)
        for match in _ID_LIKE.finditer(text):
            if is_valid_id(match.group()):
                raise _refuse(where, text, match.start(), match.end(), "是身份证号，公开信息不得包含身份证号。", field)
        for pattern in (_MOBILE, _LANDLINE):
            if match := pattern.search(text):
                raise _refuse(where, text, match.start(), match.end(),
                              "是电话号码，联系方式只在认领后按授权提供。", field)
        if identity is None:
            continue
        for name in identity.names:
            if len(name) >= 2 and (at := text.find(name)) >= 0:
                raise _refuse(where, text, at, at + len(name), "是该户人员姓名，公开信息须去标识化。", field)
        for fragment in identity.addresses:
            if len(fragment) >= 4 and (at := text.find(fragment)) >= 0:
                raise _refuse(where, text, at, at + len(fragment), "是该户详细地址，公开信息只显示到乡镇。", field)
