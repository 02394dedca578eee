"""The duplicate-aid rules (重复救助规则): one per need category, stored as data and editable on
/staff/rules. These are the defaults, written by `ensure_default_rules` (run by `marketplace db upgrade`,
`marketplace demo` and the test world) for any category that has no row yet; a category without a row
is checked with its default, so the check never depends on the seeding having run.

Why these defaults (DOMAIN.md; "重复救助和救助盲区并存"):
- 助学 education — once per household member per school term: tuition and fees are billed per term and
  per child; a second grant for the same child's same term is the textbook duplicate (三明 funded 53,828
  students "in one term"), while two children, or the same child's next term, are not duplicates.
- 无障碍改造 accessibility — once per household in 5 years (1,826 days, leap day included): a retrofit is
  a durable installation; the national retrofit programme treats a home as done once retrofitted.
- 生活照料 care — service periods may not overlap between two different providers: two organisations
  visiting the same elderly person for the same weeks is duplication and confuses the household; the
  same provider extending its own service is not.
- 生活物资 goods — the same item once in 90 days: heaters, bedding or winter clothing given twice in one
  season is waste; consumables (rice, nappies) are different items, and a new season is a new need.
  Items are compared by goods kind (goods_kinds.py): a heater and heating coal are both 取暖, and so is a
  government 取暖补贴; the same 物品 text is an exact match, the same kind only a warning.
- 急难救助 emergency — warn (never block) when government 临时救助 was paid in the last 30 days: emergency
  help is by nature urgent and case by case (一事一议), but charity help right after government help
  should be a conscious decision, and charity help must be linked to government aid (衔接机制).
- 住房修缮 housing — once per household in 365 days: dangerous-house repair is funded once per dwelling;
  a second repair within a year usually duplicates 危房改造.
- 医疗康复 medical — defined (same member, overlapping period) but off: medical costs are normally split
  between insurance, 医疗救助 and charity, so stacking is the rule rather than the exception.
- 就业, 心理疏导, 其他 — none: training, counselling and companionship from several sources help rather
  than duplicate.
- 基本生活 basic_living — none: 低保金, 特困供养金, 孤儿基本生活费 and 高龄津贴 are paid every month by
  entitlement, so this month's payment never duplicates last month's, and the allowances of one household
  legitimately stack (a 特困 elder also draws 高龄津贴). Whether a household is entitled at all is the
  registry's periodic re-check (动态管理), not a duplicate rule; and charity money for living costs on top
  of the allowance is the linking the policy asks for, not waste. A rule here would warn on every posting
  for every 低保 household.

Windows are counted in whole days between the two dates and a match needs fewer days than the window:
goods given 89 days ago matches, 90 days ago does not; 临时救助 paid 29 days ago warns, 30 days ago does not.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..i18n import N_, _l
from ..modelbase import utcnow
from .models import DuplicateRule

# Names kept as data (marked with N_), translated where shown: label(KINDS, code), _l(name) in the form.
KINDS = {
    "member_period": N_("同一受助成员、时段重叠（如同一学期）"),
    "household_window": N_("同一户在时间窗口内只帮扶一次"),
    "provider_overlap": N_("不同帮扶方的服务时段不得重叠"),
    "item_window": N_("同一物品在时间窗口内只发放一次"),
    "government_recent": N_("近期已发放政府临时救助时提醒（不阻止）"),
    "none": N_("不检查"),
}
WINDOWED = frozenset({"household_window", "item_window", "government_recent"})
# Kinds whose matches are only ever warnings: an emergency is decided case by case.
WARN_ONLY = frozenset({"government_recent"})


@dataclass(frozen=True)
class Default:
    kind: str
    window_days: int | None
    explanation: str
    active: bool = True


# The explanations are stored on the rule rows in Chinese (data); the page shows a default one translated
# (`|t`: gettext finds the marked text), and one a staff member wrote as written.
DEFAULTS: dict[str, Default] = {
    "education": Default("member_period", None,
                         N_("学费、杂费按学期收取：同一受助成员在同一学期内只资助一次；不同子女或下一学期不算重复。")),
    "accessibility": Default("household_window", 1826, N_("无障碍改造是长期设施：同一户5年（1826天）内只改造一次。")),
    "care": Default("provider_overlap", None,
                    N_("同一户的照料服务时段不得由两家不同的帮扶方同时承担；同一帮扶方续期不算重复。")),
    "goods": Default("item_window", 90, N_("同一物品（如电暖器、棉被）90天内只发放一次；不同物品不算重复。")),
    "emergency": Default("government_recent", 30,
                         N_("30天内已发放政府临时救助的，再发放慈善急难救助前提醒核实（只提醒，不阻止）。")),
    "housing": Default("household_window", 365, N_("住房修缮通常一户一次，与危房改造衔接：同一户一年内只修缮一次。")),
    "medical": Default("member_period", None, N_("医疗费用常由医保、医疗救助和慈善分段承担，叠加是常态，默认不检查；"
                                                 "启用后同一成员同一时段的医疗帮扶会提示重复。"), active=False),
    "employment": Default("none", None, N_("就业培训和岗位帮扶可多方叠加，不检查。")),
    "psychological": Default("none", None, N_("心理疏导和精神慰藉可多方同时开展，不检查。")),
    "other": Default("none", None, N_("其他类别不检查。")),
    "basic_living": Default("none", None, N_("低保金、特困供养金等按月发放、可依法叠加，"
                                             "是否应享由名单动态管理核查，不按重复救助检查。")),
}


def log_text(message) -> str:
    """A refusal as the 安全日志 keeps it: in Chinese whatever the reader's language. A message raised
    lazily (_l) is rendered again in zh_CN; one translated already stays as it is."""
    from flask_babel import force_locale

    with force_locale("zh_CN"):
        return str(message)


def default_rule(category: str) -> DuplicateRule:
    d = DEFAULTS.get(category, Default("none", None, N_("不检查。")))
    return DuplicateRule(category=category, kind=d.kind, window_days=d.window_days, active=d.active,
                         explanation=d.explanation)


def ensure_default_rules(session: Session) -> int:
    """Add the default rule of every category that has none; never touches an edited rule."""
    have = set(session.scalars(select(DuplicateRule.category)))
    added = [default_rule(category) for category in DEFAULTS if category not in have]
    session.add_all(added)
    session.flush()
    return len(added)


def rule_for(session: Session, category: str) -> DuplicateRule:
    stored = session.scalars(select(DuplicateRule).where(DuplicateRule.category == category)).first()
    return stored if stored is not None else default_rule(category)


def all_rules(session: Session) -> list[DuplicateRule]:
    stored = {r.category: r for r in session.scalars(select(DuplicateRule))}
    return [stored.get(category) or default_rule(category) for category in DEFAULTS]


def update_rule(session: Session, actor, category: str, *, kind: str, window_days: int | None, active: bool,
                explanation: str) -> DuplicateRule:
    """A staff administrator's change; who and when are recorded on the rule, and in the 安全日志 with
    what changed (a refused change too: outcome failed, or denied for a lack of rights)."""
    from ..errors import DomainError, Forbidden
    from ..security import events

    try:
        rule, changed = _apply(session, actor, category, kind=kind, window_days=window_days, active=active,
                               explanation=explanation)
    except DomainError as error:
        events.record(session, "rules.change", outcome="denied" if isinstance(error, Forbidden) else "failed",
                      actor=actor, category=category[:40], reason=log_text(error.message)[:80])
        raise
    events.record(session, "rules.change", actor=actor, category=category, changed=changed, rule_kind=rule.kind,
                  window_days=rule.window_days, active=rule.active)
    return rule


def _apply(session: Session, actor, category: str, *, kind: str, window_days: int | None, active: bool,
           explanation: str) -> tuple[DuplicateRule, list[str]]:
    from ..auth.access import require_duty
    from ..errors import Forbidden, Invalid

    require_duty(actor, "rules")
    if len(actor.region_code or "") > 6:
        raise Forbidden(_l("重复救助规则全平台通用，只有县级及以上的工作人员可以修改。"))
    if category not in DEFAULTS:
        raise Invalid(_l("请选择有效的需求类别。"), "category")
    if kind not in KINDS:
        raise Invalid(_l("请选择有效的规则类型。"), "kind")
    if kind in WINDOWED and not (window_days and 1 <= window_days <= 3660):
        raise Invalid(_l("该规则类型须填写1至3660天的时间窗口。"), "window_days")
    explanation = (explanation or "").strip()
    if len(explanation) < 4:
        raise Invalid(_l("请用至少4个字说明规则的理由。"), "explanation")
    rule = session.scalars(select(DuplicateRule).where(DuplicateRule.category == category)).first()
    if rule is None:
        rule = default_rule(category)
        session.add(rule)
    before = {f: getattr(rule, f) for f in _AUDITED}
    rule.kind, rule.window_days = kind, window_days if kind in WINDOWED else None
    rule.active, rule.explanation = active, explanation[:500]
    rule.updated_by_id, rule.updated_at = actor.id, utcnow()
    session.flush()
    return rule, [f for f in _AUDITED if getattr(rule, f) != before[f]]


_AUDITED = ("kind", "window_days", "active", "explanation")
