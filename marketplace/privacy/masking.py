"""Masking ID numbers and phone numbers inside free text that leaves the database in a file (an import's
rejected rows): enough stays for staff to match the paper record, not enough to use the number."""

import re

# Longest first: an 18-digit ID number holds an 11-digit run that looks like a phone number.
# The birth date inside must look like one (month 01-12, day 01-31), so a 15-digit 户编号 such as
# 341621000000001 stays readable: staff find the row by it.
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID_NUMBER = re.compile(rf"(?<![0-9])(\d{{6}})((?:19|20)\d\d{_DATE})(\d{{3}}[\dXx])(?![0-9Xx])"
                        rf"|(?<![0-9])(\d{{6}})(\d\d{_DATE})(\d{{3}})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])((?:\+?86[- ]?)?1[3-9]\d)([- ]?\d{4}[- ]?)(\d{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0\d{2,3}[- ])(\d{3,4})(\d{4})(?![0-9])")


def _id(match: re.Match) -> str:
    if match.group(1):  # 18 digits: 341602********4523
        return match.group(1) + "*" * 8 + match.group(3)
    return match.group(4) + "*" * 6 + match.group(6)  # the old 15-digit number: 341602******452


def mask_identifiers(text: str) -> str:
    """341602199001014523 → 341602********4523, 13812345678 → 138****5678, 0558-5123456 → 0558-***3456."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_NUMBER.sub(_id, text)
    text = _MOBILE.sub(lambda m: m.group(1) + re.sub(r"\d", "*", m.group(2)) + m.group(3), text)
    return _spelled(_LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text))


_DIGIT_LIKE = frozenset("0123456789Xx")
_KEEP = {"id_number": (6, 4), "mobile": (3, 4), "landline": (4, 4), "bank_card": (4, 4)}


def _spelled(text: str) -> str:
    """What the patterns above miss and the PII scan finds (341602 19580312 4523, full-width or Chinese
    digits): the same digits kept, the rest starred. Each masked span stops being a finding."""
    from .pii_scan import find, fold

    for _ in range(len(text)):
        finding = find(text)
        if finding is None:
            break
        digits = [i for i in range(finding.start, finding.end) if fold(text[i])[0][:1] in _DIGIT_LIKE]
        head, tail = _KEEP[finding.kind]
        starred = set(digits[head:len(digits) - tail])
        text = "".join("*" if i in starred else ch for i, ch in enumerate(text))
    return text
