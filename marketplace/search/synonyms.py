"""Domain words a searcher uses for one another. Staff edit the groups at 检索同义词; these are the
defaults written by `marketplace db upgrade`. A query term found in a group also matches the group's
other terms, so 助行器 finds a need that only says 轮椅."""

from sqlalchemy import func, select
from sqlmodel import Session

from ..i18n import _
from ..modelbase import utcnow
from .models import SynonymGroup

# Symmetric groups, and one-way ones written "慢性病 > 高血压 糖尿病" (a search for 慢性病 also finds 糖尿病,
# not the reverse). Several came from needs a caseworker judged relevant that never use the searched word
# (棉被/被褥, 助浴/洗澡, 卫生间/浴室): see bench/search_analyzers.py and tests/search/relevance_set.py.
DEFAULT_GROUPS = (
    "轮椅 助行器 助行车 拐杖 腋下拐 助行",
    "无障碍 适老化 扶手",
    "学费 学杂费 助学 教育 上学",
    "大学 高校 本科 大专 高职 研究生",
    "取暖 过冬 电暖器 暖气 保暖 御寒 防寒",
    "棉被 被褥 被子",
    "冬衣 棉衣 冬季衣服 冬季校服",
    "照料 照顾 看护 陪护",
    "失能 卧床 瘫痪 不能自理",
    "独居 空巢 独自居住",
    "老人 老年人 高龄",
    "陪伴 聊天 精神慰藉",
    "心理 疏导 心理咨询",
    "康复 理疗",
    "训练 锻炼",
    "残疾 残障",
    "儿童 孩子 未成年",
    "助浴 洗澡 洗浴",
    "送餐 助餐",
    "卫生间 浴室 厕所",
    "药 药品 药费 服药 购药 买药 用药",
    "慢性病 > 高血压 糖尿病 长期服药 长期服用",
    "房屋 住房",
    "危房 > 房屋 住房 修缮 加固",
    "修缮 维修 修补",
    "漏雨 渗水 漏水",
    "火灾 失火 着火",
    "丧葬费 丧葬 殡葬 后事",
    "课后辅导 作业辅导 学业辅导",
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
    """term -> the terms a search for it also matches: the rest of a symmetric group, or for a one-way
    group ("慢性病 > 高血压 糖尿病") the terms after the arrow."""
    expansions: dict[str, set[str]] = {}
    for line in groups:
        if ">" in line:
            head, _arrow, rest = line.partition(">")
            heads, words = head.split(), rest.split()
            for word in heads:
                expansions.setdefault(word, set()).update(w for w in words if w != word)
            continue
        words = line.split()
        for word in words:
            expansions.setdefault(word, set()).update(w for w in words if w != word)
    return expansions


def load_expansions(session: Session) -> dict[str, set[str]]:
    return parse_groups(session.scalars(select(SynonymGroup.terms)))


MAX_GROUPS = 200
MAX_TERM = 12


def replace_groups(session: Session, actor, text: str) -> int:
    """Replace the whole list from the editor's text: one group per line, terms separated by spaces.
    Refuses the edit, naming the line, rather than saving part of it. Either way the 安全日志 says so."""
    from ..errors import DomainError, Forbidden
    from ..security import events

    previous = session.scalar(select(func.count()).select_from(SynonymGroup))
    try:
        count = _replace(session, actor, text)
    except DomainError as error:
        events.record(session, "synonyms.change", outcome="denied" if isinstance(error, Forbidden) else "failed",
                      actor=actor, previous_groups=previous, reason=error.message[:80])
        raise
    events.record(session, "synonyms.change", actor=actor, groups=count, previous_groups=previous)
    return count


def _replace(session: Session, actor, text: str) -> int:
    from ..auth.access import require_duty
    from ..errors import Forbidden, Invalid

    require_duty(actor, "rules")
    if len(actor.region_code or "") > 6:
        raise Forbidden(_("同义词表全平台共用，只有县级及以上民政工作人员可以修改。"))
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.replace("，", " ").replace("、", " ").replace("＞", ">")
        head, arrow, rest = line.partition(">")
        if arrow and (not head.split() or not rest.split() or ">" in rest):
            raise Invalid(_("第%(line)s行的单向同义词应写成「上位词 > 下位词 …」，箭头两边都要有词。", line=number), "groups")
        terms = list(dict.fromkeys(line.replace(">", " ").split()))
        if not terms:
            continue
        if len(terms) < 2:
            raise Invalid(_("第%(line)s行只有一个词「%(term)s」：同义词组至少需要两个词。", line=number, term=terms[0]),
                          "groups")
        long = next((t for t in terms if len(t) > MAX_TERM), None)
        if long:
            raise Invalid(_("第%(line)s行的「%(term)s」超过%(max)s个字：同义词应是词语，不是句子。", line=number,
                            term=long[:20], max=MAX_TERM), "groups")
        joined = f"{' '.join(dict.fromkeys(head.split()))} > {' '.join(dict.fromkeys(rest.split()))}" if arrow \
            else " ".join(terms)
        if len(joined) > 300:
            raise Invalid(_("第%(line)s行超过300个字符，请拆成几组。", line=number), "groups")
        groups.append(joined)
    if len(groups) > MAX_GROUPS:
        raise Invalid(_("同义词组共%(count)s组，超过上限%(max)s组。", count=len(groups), max=MAX_GROUPS), "groups")
    session.execute(SynonymGroup.__table__.delete())
    now = utcnow()
    session.add_all(SynonymGroup(terms=g, updated_by_id=actor.id, updated_at=now) for g in groups)
    session.flush()
    return len(groups)
