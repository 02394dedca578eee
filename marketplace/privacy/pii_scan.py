"""The one scan for identifying spans in free text that can reach anyone outside the region's staff.

People type numbers the way they read them: full-width digits from a Chinese IME, 〇一二三 or 壹贰叁,
groups split by spaces, dashes, dots or slashes. The text is folded first (NFKC, Chinese digits read as
digits) and the digits between separators joined; a candidate starts and ends where a written group does,
so a date or an amount next to a number is not glued onto it. Every folded character remembers the
original one it came from: the refusal names the span as the clerk typed it."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum import luhn
from stdnum.cn import uscc

from ..errors import Invalid
from ..i18n import N_, _
from ..registry.idcard import PROVINCES
from ..registry.idcard import is_valid as is_valid_id

# 幺 is how 1 is read aloud in phone numbers; 两 is not used digit by digit (两袋, 两千) and stays a word.
CHINESE_DIGITS = dict(zip("〇○零壹贰貳叁參叄肆伍陆陸柒捌玖一二三四五六七八九幺", "00012233345667891234567891",
                          strict=True))
_DIGITS = frozenset("0123456789")
# After NFKC: full-width space, －, ．, ／, （ ） are already ASCII. At most _GAP of them between digits.
_SEPARATORS = frozenset(" \t\u00a0-‐‑‒–—―−./()")
_GAP = 3
_LOOSE_DROP = frozenset(" \t\u00a0\r\n·・•")
_MOBILE = re.compile(r"(?:(?:00)?86)?1[3-9]\d{9}")
# 010 and 02x are followed by 8 digits, other area codes (0xxx) by 7 or 8; local numbers never start 0/1.
_LANDLINES = ((re.compile(r"0(?:10|2\d)[2-9]\d{7}"), 3), (re.compile(r"0[3-9]\d\d[2-9]\d{6,7}"), 4))
# Card numbers issued in China: UnionPay 62/60, Visa 4, Mastercard 5, JCB 35, old domestic debit cards 9.
# Not 1, 2 or 34: a date range or a 户编号 (341621-2020-000123) is not a card.
_CARD = re.compile(r"35\d{14,17}|[4569]\d{15,18}")
_LONGEST = 19  # a bank card; an ID number is 18, a mobile with 0086 15
_ADDRESS_TAIL = re.compile(r"(?:镇|乡|街道|村|社区|路|街)([^镇乡村]{2,})$")

# What each kind is, and why it may not be there (the refusal says both, in the reader's language).
KIND_NAMES = {"id_number": N_("身份证号"), "mobile": N_("电话号码"), "landline": N_("电话号码"),
              "bank_card": N_("银行卡号"), "name": N_("该户人员姓名"), "address": N_("该户详细地址")}
PHONE = N_("联系方式只在认领后按授权提供。")
ADVICE = {
    "id_number": N_("公开信息不得包含身份证号。"),
    "mobile": PHONE,
    "landline": PHONE,
    "bank_card": N_("公开信息不得包含银行卡号。"),
    "name": N_("公开信息须去标识化。"),
    "address": N_("公开信息只显示到乡镇。"),
}
# The fields' names as a refusal names them; a caller's `labels` (Chinese, marked where they are defined, or
# already translated) win.
FIELD_LABELS = {"title": N_("标题"), "description": N_("需求描述"), "item_key": N_("物品"),
                "override_reason": N_("一事一议理由"), "summary": N_("帮扶情况说明"), "reason": N_("原因"),
                "note": N_("备注")}


@dataclass(frozen=True)
class Finding:
    start: int  # in the original text
    end: int
    kind: str
    span: str

    @property
    def what(self) -> str:
        """Why it may not be there: 「公开信息不得包含身份证号。」"""
        return _(ADVICE[self.kind])

    def named(self, where: str) -> str:
        """「救助项目第3至20个字符「…」是身份证号」: where it is and what it is, without the advice."""
        return _("%(where)s第%(start)s至%(end)s个字符「%(span)s」是%(kind)s", where=_(str(where)), start=self.start + 1,
                 end=self.end, span=self.span, kind=_(KIND_NAMES[self.kind]))


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


def fold(text: str, drop: frozenset = frozenset()) -> tuple[str, list[int]]:
    """NFKC with Chinese digits read as digits, `drop` left out; and for each folded character the index
    of the original character it came from."""
    out, origin = [], []
    for index, char in enumerate(text):
        for folded in unicodedata.normalize("NFKC", char):
            if folded in drop:
                continue
            out.append(CHINESE_DIGITS.get(folded, folded))
            origin.append(index)
    return "".join(out), origin


def _chinese(char: str) -> bool:
    return unicodedata.normalize("NFKC", char) in CHINESE_DIGITS


def _runs(folded: str, text: str, origin: list[int]):
    """Runs of digits joined by short separator gaps, as lists of groups of folded indexes. A group also
    ends where the writing changes between Arabic and Chinese digits (第一13812345678)."""
    i, n = 0, len(folded)
    while i < n:
        if folded[i] not in _DIGITS:
            i += 1
            continue
        groups, j = [[i]], i + 1
        while j < n:
            if folded[j] in _DIGITS:
                if _chinese(text[origin[j]]) != _chinese(text[origin[j - 1]]):
                    groups.append([])
                groups[-1].append(j)
                j += 1
                continue
            k = j
            while k < n and k - j < _GAP and folded[k] in _SEPARATORS:
                k += 1
            if k < n and folded[k] in "Xx" and not (k + 1 < n and folded[k + 1].isascii()
                                                      and folded[k + 1].isalnum()):
                if k > j:
                    groups.append([])
                groups[-1].append(k)  # an ID number's check character ends the run
                j = k + 1
                break
            if k == j or k >= n or folded[k] not in _DIGITS:
                break
            groups.append([])
            j = k
        yield groups
        i = j


def _old_id(digits: str) -> bool:
    if digits[:2] not in PROVINCES:
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def classify(digits: str, first_group: int) -> str | None:
    """The kind of identifier `digits` is, if any; `first_group` is how many digits were written before
    the first separator (an area code is never split)."""
    if "X" in digits or "x" in digits:
        return "id_number" if len(digits) == 18 and digits[-1] in "Xx" and is_valid_id(digits.upper()) else None
    if len(digits) == 18 and is_valid_id(digits) or len(digits) == 15 and _old_id(digits):
        return "id_number"
    if _MOBILE.fullmatch(digits):
        return "mobile"
    for pattern, area in _LANDLINES:
        if first_group >= area and pattern.fullmatch(digits):
            return "landline"
    if _CARD.fullmatch(digits) and luhn.is_valid(digits) and not (len(digits) == 18 and uscc.is_valid(digits)):
        return "bank_card"
    return None


def _numbers(text: str) -> Finding | None:
    folded, origin = fold(text)
    for groups in _runs(folded, text, origin):
        for a in range(len(groups)):
            spans, indexes = [], []
            for group in groups[a:]:  # no identifier is longer than _LONGEST digits: work stays linear
                indexes = indexes + group
                if len(indexes) > _LONGEST:
                    break
                spans.append(indexes)
            for indexes in reversed(spans):
                kind = classify("".join(folded[i] for i in indexes), len(groups[a]))
                if kind:
                    start = indexes[0]
                    while start > 0 and folded[start - 1] in "+(" and (folded[start - 1] == "+" or ")" in
                                                                       folded[start:indexes[-1]]):
                        start -= 1
                    return _finding(text, origin[start], origin[indexes[-1]] + 1, kind)
    return None


def _finding(text: str, start: int, end: int, kind: str) -> Finding:
    return Finding(start, end, kind, text[start:end])


def _identity(text: str, identity: Identity) -> Finding | None:
    """The household's own name or address, whatever the spacing, width or digit writing."""
    folded, origin = fold(text, _LOOSE_DROP)
    for kind, needles, shortest in (("name", identity.names, 2), ("address", identity.addresses, 4)):
        for needle in needles:
            loose = fold(needle, _LOOSE_DROP)[0]
            if len(loose) >= shortest and (at := folded.find(loose)) >= 0:
                return _finding(text, origin[at], origin[at + len(loose) - 1] + 1, kind)
    return None


def find(text: str, identity: Identity | None = None) -> Finding | None:
    """The first identifying span in `text`: a number before a name, as the number is worse to leak."""
    if not text:
        return None
    return _numbers(text) or (_identity(text, identity) if identity else None)


def scan(fields: dict[str, str | None], identity: Identity | None = None,
         labels: dict[str, str] | None = None) -> None:
    """Raise Invalid(field=…) on the first identifying span in any field, naming where it is."""
    for field, text in fields.items():
        if finding := find(text or "", identity):
            where = (labels or {}).get(field) or FIELD_LABELS.get(field, field)
            raise Invalid(_("%(finding)s，%(advice)s", finding=finding.named(where), advice=finding.what), field)


def _app_vault():
    # Services that are not handed a vault (evidence, reasons) take the app's, so the household's name
    # and address are checked in requests and in the worker alike; outside an app only numbers are.
    from flask import current_app, has_app_context

    return current_app.extensions.get("marketplace.vault") if has_app_context() else None


def scan_for_household(session, household_id: int | None, fields: dict[str, str | None], *, vault=None,
                       labels: dict[str, str] | None = None) -> None:
    """scan() with the identity of the household a text is about (a need's, a chain entry's)."""
    from ..registry.models import Household

    household = session.get(Household, household_id) if household_id else None
    scan(fields, Identity.of(household, vault or _app_vault()), labels)
