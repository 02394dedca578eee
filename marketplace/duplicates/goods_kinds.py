"""Goods kinds (物资种类): the maintained vocabulary the goods rule compares, so that aid nobody gave an
物品 value still meets its duplicates. A goods need posted without 物品 gets its kind from its title
(needs/service.py); a government payment gets one from the aid-item table (aid_items/), e.g. 取暖补贴 →
取暖; old chain entries without one are read from their title when compared.

Two goods compare equal when their 物品 values are the same text (an exact duplicate), or when both fall
under one kind here (a warning: a heater and a load of coal in one winter are both heating, but staff may
judge otherwise and post with a reason). Keywords are matched as substrings of the normalised text, the
longest winning, so 电热毯 (取暖) is not read as 毯 (被褥). Add a keyword where staff report a miss; keep
single characters out (米 is also a length, 面 a surface)."""

import re

from ..i18n import N_

# The kinds are codes in the data (item_key, the aid-item table) and names shown to staff (marked with N_,
# translated where shown); the keywords are matched against input and stay as they are.
GOODS_KINDS: dict[str, tuple[str, ...]] = {
    N_("取暖"): ("取暖", "采暖", "供暖", "暖气", "电暖器", "电暖气", "取暖器", "暖风机", "小太阳", "油汀", "电热毯",
                 "火炉", "煤炉", "取暖煤", "取暖用煤", "燃煤", "蜂窝煤", "煤球", "煤炭", "无烟煤", "木炭", "炭火盆"),
    N_("被褥"): ("被褥", "棉被", "被子", "褥子", "毛毯", "毯子", "床垫", "床单", "床上用品", "四件套", "枕头"),
    N_("衣物"): ("衣物", "衣服", "棉衣", "棉服", "冬衣", "羽绒服", "棉裤", "棉鞋", "保暖内衣", "外套", "校服"),
    N_("米面油"): ("米面油", "大米", "面粉", "挂面", "食用油", "花生油", "菜籽油", "粮油", "米面"),
    N_("食品"): ("食品", "奶粉", "牛奶", "鸡蛋", "营养品"),
    N_("家电"): ("家电", "冰箱", "洗衣机", "电视", "电饭煲", "电磁炉", "微波炉", "热水器", "电风扇", "风扇", "空调"),
    N_("轮椅/助行器"): ("轮椅", "助行器", "助行架", "拐杖", "手杖", "洗澡椅", "坐便椅", "防褥疮", "气垫床"),
    N_("学习用品"): ("学习用品", "文具", "书包", "书桌", "课桌", "台灯", "教辅", "练习册", "字典"),
    N_("护理用品"): ("护理用品", "纸尿裤", "尿不湿", "护理垫"),
}
# Every keyword with its kind, longest first: the first hit is the longest match.
_KEYWORDS = sorted(((word.casefold(), kind) for kind, words in GOODS_KINDS.items() for word in (kind, *words)),
                   key=lambda pair: -len(pair[0]))


def _normal(text: str | None) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "").casefold()


def kind_of(text: str | None) -> str | None:
    """The goods kind a title or 物品 value names, or None."""
    text = _normal(text)
    if not text:
        return None
    return next((kind for word, kind in _KEYWORDS if word in text), None)


def same_goods(mine: str | None, other: str | None) -> tuple[bool, bool]:
    """(matches, exact) for two normalised 物品 values. The same text is exact unless it is only a kind's
    name (derived from a title, or typed as generic as 取暖): that, like two items of one kind, is an
    inference the goods rule only warns on."""
    if not mine or not other:
        return False, False
    if mine == other:
        return True, mine not in GOODS_KINDS
    kind = kind_of(mine)
    return kind is not None and kind == kind_of(other), False
