"""The one table of spellings the PII scan must catch and ordinary texts it must let through. Each caught
spelling is also checked to be named as typed: the span in the original text, not in the folded one."""

from datetime import date

import pytest

from marketplace.demo.identities import id_number
from marketplace.errors import Invalid
from marketplace.privacy.pii_scan import Identity, find, scan

VALID_ID = id_number("341621", date(1975, 8, 19), 362)
ID_X = next(n for n in (id_number("341621", date(1975, 8, 19), s) for s in range(1, 999)) if n.endswith("X"))
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
LOWER = str.maketrans("0123456789", "〇一二三四五六七八九")
UPPER = str.maketrans("0123456789", "零壹贰叁肆伍陆柒捌玖")
CARD16, CARD19 = "6222021234567894", "6217001234567890122"  # Luhn-valid
NAME, ADDRESS = "李玉兰", "涡阳县楚店镇张庄村32号"
IDENTITY = Identity(names=(NAME,), addresses=(ADDRESS, "张庄村32号"))


def grouped(number: str, *sizes: int, sep: str = " ") -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    return sep.join(parts + ([number[at:]] if at < len(number) else []))


# (text, span as typed, kind)
CAUGHT = [
    (VALID_ID, VALID_ID, "id_number"),
    (grouped(VALID_ID, 6, 8), grouped(VALID_ID, 6, 8), "id_number"),  # 341621 19750819 362x
    (grouped(VALID_ID, 6, 8, sep="-"), grouped(VALID_ID, 6, 8, sep="-"), "id_number"),
    (grouped(VALID_ID, 6, 8, sep="."), grouped(VALID_ID, 6, 8, sep="."), "id_number"),
    (grouped(VALID_ID, 6, 8, sep="/"), grouped(VALID_ID, 6, 8, sep="/"), "id_number"),
    (grouped(VALID_ID, 6, 8, sep="\u3000"), grouped(VALID_ID, 6, 8, sep="\u3000"), "id_number"),
    (grouped(VALID_ID, 4, 4, 4, 4), grouped(VALID_ID, 4, 4, 4, 4), "id_number"),
    (grouped(VALID_ID, 6, 8, sep=" - "), grouped(VALID_ID, 6, 8, sep=" - "), "id_number"),
    (VALID_ID.translate(WIDE), VALID_ID.translate(WIDE), "id_number"),
    (grouped(VALID_ID.translate(WIDE), 6, 8, sep="\u3000"), grouped(VALID_ID.translate(WIDE), 6, 8, sep="\u3000"),
     "id_number"),
    (VALID_ID.translate(LOWER), VALID_ID.translate(LOWER), "id_number"),
    (VALID_ID.translate(UPPER), VALID_ID.translate(UPPER), "id_number"),
    (VALID_ID[:9] + VALID_ID[9:].translate(WIDE), VALID_ID[:9] + VALID_ID[9:].translate(WIDE), "id_number"),
    (ID_X, ID_X, "id_number"),
    (ID_X.lower(), ID_X.lower(), "id_number"),
    (grouped(ID_X, 6, 8, 3), grouped(ID_X, 6, 8, 3), "id_number"),  # … 123 X
    (ID_X.translate(WIDE), ID_X.translate(WIDE), "id_number"),
    ("341621750819362", "341621750819362", "id_number"),  # the old 15-digit number
    ("341621 750819 362", "341621 750819 362", "id_number"),
    ("13812345678", "13812345678", "mobile"),
    ("138 1234 5678", "138 1234 5678", "mobile"),
    ("138-1234-5678", "138-1234-5678", "mobile"),
    ("138.1234.5678", "138.1234.5678", "mobile"),
    ("138/1234/5678", "138/1234/5678", "mobile"),
    ("138 — 1234 — 5678", "138 — 1234 — 5678", "mobile"),
    ("1 3 8 1 2 3 4 5 6 7 8", "1 3 8 1 2 3 4 5 6 7 8", "mobile"),
    ("+86 13812345678", "+86 13812345678", "mobile"),
    ("+86-138-1234-5678", "+86-138-1234-5678", "mobile"),
    ("8613812345678", "8613812345678", "mobile"),
    ("（+86）13812345678", "（+86）13812345678", "mobile"),
    ("１３８１２３４５６７８", "１３８１２３４５６７８", "mobile"),
    ("１３８　１２３４　５６７８", "１３８　１２３４　５６７８", "mobile"),
    ("一三八一二三四五六七八", "一三八一二三四五六七八", "mobile"),
    ("幺三八幺二三四五六七八", "幺三八幺二三四五六七八", "mobile"),
    ("一三八 1234 5678", "一三八 1234 5678", "mobile"),
    ("第一13812345678", "13812345678", "mobile"),
    ("2026.12.01 19987654321", "19987654321", "mobile"),
    ("0558-7212345", "0558-7212345", "landline"),
    ("05587212345", "05587212345", "landline"),
    ("010-62345678", "010-62345678", "landline"),
    ("021 6234 5678", "021 6234 5678", "landline"),
    ("(0558)7212345", "(0558)7212345", "landline"),
    ("（０５５８）７２１２３４５", "（０５５８）７２１２３４５", "landline"),
    ("0558 721 2345", "0558 721 2345", "landline"),
    ("〇五五八-七二一二三四五", "〇五五八-七二一二三四五", "landline"),
    (CARD16, CARD16, "bank_card"),
    (grouped(CARD16, 4, 4, 4), grouped(CARD16, 4, 4, 4), "bank_card"),
    (grouped(CARD19, 4, 4, 4, 4), grouped(CARD19, 4, 4, 4, 4), "bank_card"),
    (CARD16.translate(WIDE), CARD16.translate(WIDE), "bank_card"),
    (grouped(CARD16, 4, 4, 4, sep="-"), grouped(CARD16, 4, 4, 4, sep="-"), "bank_card"),
    (NAME, NAME, "name"),
    ("李 玉 兰", "李 玉 兰", "name"),
    ("李\u3000玉兰", "李\u3000玉兰", "name"),
    (ADDRESS, ADDRESS, "address"),
    ("张庄村３２号", "张庄村３２号", "address"),
    ("张庄村 32 号", "张庄村 32 号", "address"),
]

ORDINARY = [
    "2026年12月发放", "２０２６年１２月", "2026-12-01", "2026.12.01", "2026/12/01至2026/12/31",
    "2026.12.01-2026.12.31", "2026.05.01—2026.05.31", "2019.10—2026.12", "2020-2026年", "二〇二六年十二月",
    "2026年1月3日至2026年1月9日", "2026年12月1日 13:00-15:00", "08:30—17:30", "￥12,000.00", "12000.00元",
    "1000公斤大米", "300元/月", "每月300元，共12个月", "3室2厅1卫，建筑面积85.5平方米", "需棉被20床、大米1000斤",
    "2026年度共帮扶138户、1234人次、5678件", "12345政务热线", "邮编236800", "身高165cm，体重60kg",
    "一二三四五六七八九十", "第一二三批物资，十一月送两袋米", "物资编号" + VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"),
    "户编号341621000000001", "6222021234567891",  # 15 digits without a birth date; a card failing Luhn
    "统一社会信用代码523416005000000073",  # an organisation's code is public, not personal
    "户编号341621-2020-000123", "李桂兰家", "楚店镇张庄村", "张庄村", "每户2袋，10户共20袋", "1.5吨",
]


def texts_around(text: str) -> tuple[str, int]:
    before = "情况说明："
    return f"{before}{text}，已核实。", len(before)


@pytest.mark.parametrize(("text", "span", "kind"), CAUGHT)
def test_caught(text, span, kind):
    wrapped, offset = texts_around(text)
    finding = find(wrapped, IDENTITY)
    assert finding is not None, text
    assert (finding.kind, finding.span) == (kind, span)
    assert wrapped[finding.start:finding.end] == span and finding.start == offset + text.index(span)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary(text):
    wrapped, _ = texts_around(text)
    assert find(wrapped, IDENTITY) is None


def test_table_sizes():
    assert len(CAUGHT) >= 40 and len(ORDINARY) >= 20


def test_the_refusal_names_field_and_characters_as_typed():
    text = f"户主身份证 {grouped(VALID_ID, 6, 8)} 已核实"
    with pytest.raises(Invalid) as raised:
        scan({"summary": "送达棉被两床", "reason": text})
    span = grouped(VALID_ID, 6, 8)
    assert raised.value.field == "reason"
    assert raised.value.message == f"原因第7至26个字符「{span}」是身份证号，公开信息不得包含身份证号。"
    assert text[6:26] == span
