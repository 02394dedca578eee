"""Domain words a searcher uses for one another. Staff edit the groups at 检索同义词; these are the
defaults written by `marketplace db upgrade`. A query term found in a group also matches the group's
other terms, so 助行器 finds a need that only says 轮椅."""

from sqlalchemy import func, select
from sqlmodel import Session

from ..modelbase import utcnow
from .models import SynonymGroup

DEFAULT_GROUPS = (
    "轮椅 助行器 拐杖 助行",
    "无障碍 适老化 扶手",
    "学费 助学 教育 上学",
    "大学 高校 本科 大专",
    "取暖 过冬 电暖器 棉被",
    "照料 照顾 看护 陪护",
    "独居 空巢",
    "老人 老年人 高龄",
    "心理 疏导 心理咨询",
    "康复 理疗",
    "残疾 残障",
    "儿童 孩子 留守",
    "药 药品 药费",
    "房屋 住房 危房 修缮",
    "就业 工作 技能培训",
)


def ensure_default_synonyms(session: Session) -> int:
    """Write the default groups into an empty list; staff edits are never overwritten."""
    if session.scalar(select(func.count()).select_from(SynonymGroup)):
        return 0
    session.add_all(SynonymGroup(terms=terms) for terms in DEFAULT_GROUPS)
    session.flush()
    return len(DEFAULT_GROUPS)


def parse_groups(groups) -> dict[str, set[str]]:
    """term -> every other term sharing a group with it."""
    expansions: dict[str, set[str]] = {}
    for terms in groups:
        words = [w for w in terms.split() if w]
        for word in words:
            expansions.setdefault(word, set()).update(w for w in words if w != word)
    return expansions


def load_expansions(session: Session) -> dict[str, set[str]]:
    return parse_groups(session.scalars(select(SynonymGroup.terms)))


MAX_GROUPS = 200
MAX_TERM = 12


def replace_groups(session: Session, actor, text: str) -> int:
    """Replace the whole list from the editor's text: one group per line, terms separated by spaces.
    Refuses the edit, naming the line, rather than saving part of it."""
    from ..errors import Forbidden, Invalid

    if actor.role != "staff" or len(actor.region_code or "") > 6:
        raise Forbidden("同义词表全平台共用，只有县级及以上民政工作人员可以修改。")
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        terms = list(dict.fromkeys(line.replace("，", " ").replace("、", " ").split()))
        if not terms:
            continue
        if len(terms) < 2:
            raise Invalid(f"第{number}行只有一个词「{terms[0]}」：同义词组至少需要两个词。", "groups")
        long = next((t for t in terms if len(t) > MAX_TERM), None)
        if long:
            raise Invalid(f"第{number}行的「{long[:20]}」超过{MAX_TERM}个字：同义词应是词语，不是句子。", "groups")
        joined = " ".join(terms)
        if len(joined) > 300:
            raise Invalid(f"第{number}行超过300个字符，请拆成几组。", "groups")
        groups.append(joined)
    if len(groups) > MAX_GROUPS:
        raise Invalid(f"同义词组共{len(groups)}组，超过上限{MAX_GROUPS}组。", "groups")
    session.execute(SynonymGroup.__table__.delete())
    now = utcnow()
    session.add_all(SynonymGroup(terms=g, updated_by_id=actor.id, updated_at=now) for g in groups)
    session.flush()
    return len(groups)
