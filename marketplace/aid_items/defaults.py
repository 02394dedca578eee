"""The national 救助项目 (DOMAIN.md; 社会救助暂行办法 and the national programmes) and the platform category
each is filed under, written by `ensure_default_aid_items` (`marketplace db upgrade`, `marketplace demo`
and the test world) for any pattern that has no row yet; the aid import falls back to these for a
pattern without a row, so it never depends on the seeding having run.

A pattern is matched as a substring of the imported item, the longest winning: 低保边缘家庭医疗救助 is
医疗救助 (4 characters) rather than 低保 (2). Choices the rules leave open:
- 基本生活 for the regular cash allowances (低保金, 特困供养金, 孤儿和事实无人抚养儿童基本生活费, 高龄津贴,
  丧葬补助 as DOMAIN.md lists it under 基本生活救助): money for living is no specific category, and filing
  it as 其他 hid it from every report by category.
- 残疾人两项补贴, both halves included: 困难残疾人生活补贴 is plainly living money, and 重度残疾人护理补贴,
  though named for care, is a monthly cash allowance, not a carer. Filed under 生活照料 it would make every
  charity home-care service overlapping a payment day look like a second provider (the care rule).
- 取暖 and 冬季救助 are goods of kind 取暖, so the goods rule meets a charity's heater or coal in the same
  winter; 临时救助 of either type (急难型, 支出型) and 受灾人员救助 are emergency, which the emergency rule
  looks for.
- 适老化 retrofits are accessibility, like 无障碍改造: the same grab bars and ramps, whose 5-year rule is
  the point of filing them (居家适老化改造补贴 then a charity retrofit a year later must warn)."""

from sqlalchemy import select
from sqlmodel import Session

from ..ledger.models import AidItem

# (pattern, category, goods kind)
DEFAULT_AID_ITEMS: tuple[tuple[str, str, str | None], ...] = (
    ("低保", "basic_living", None), ("低保金", "basic_living", None), ("最低生活保障", "basic_living", None),
    ("特困", "basic_living", None), ("特困供养金", "basic_living", None), ("特困人员救助供养", "basic_living", None),
    ("供养金", "basic_living", None),
    ("孤儿基本生活费", "basic_living", None), ("事实无人抚养儿童基本生活费", "basic_living", None),
    ("基本生活费", "basic_living", None),
    ("高龄津贴", "basic_living", None), ("高龄补贴", "basic_living", None),
    ("残疾人两项补贴", "basic_living", None), ("困难残疾人生活补贴", "basic_living", None),
    ("重度残疾人护理补贴", "basic_living", None),
    ("丧葬", "basic_living", None),
    ("临时救助", "emergency", None), ("急难型临时救助", "emergency", None), ("支出型临时救助", "emergency", None),
    ("急难", "emergency", None), ("受灾人员救助", "emergency", None), ("受灾", "emergency", None),
    ("灾害", "emergency", None),
    ("医疗救助", "medical", None), ("医疗", "medical", None), ("大病", "medical", None), ("住院", "medical", None),
    ("康复", "medical", None),
    ("教育救助", "education", None), ("教育", "education", None), ("助学", "education", None),
    ("学费", "education", None),
    ("住房救助", "housing", None), ("住房", "housing", None), ("危房改造", "housing", None), ("危房", "housing", None),
    ("无障碍改造", "accessibility", None), ("无障碍", "accessibility", None), ("适老化改造", "accessibility", None),
    ("适老化", "accessibility", None),
    ("取暖", "goods", "取暖"), ("取暖补贴", "goods", "取暖"), ("冬季救助", "goods", "取暖"), ("采暖", "goods", "取暖"),
    ("物资", "goods", None),
    ("就业救助", "employment", None), ("就业", "employment", None), ("公益性岗位", "employment", None),
    ("护理", "care", None), ("照料", "care", None),
    ("心理", "psychological", None),
)


def ensure_default_aid_items(session: Session) -> int:
    """Add every default pattern that has no row; never touches a row staff edited or an import met."""
    have = set(session.scalars(select(AidItem.pattern)))
    added = [AidItem(pattern=p, category=c, goods_kind=k, origin="default")
             for p, c, k in DEFAULT_AID_ITEMS if p not in have]
    session.add_all(added)
    session.flush()
    return len(added)
