"""Staff work on the 救助项目 table (/staff/aid-items): the list, unmapped items first, and mapping or
re-mapping one pattern, which re-files the entries it covers in the actor's region (recategorise.py).

Like the duplicate rules, the table is platform-wide: only staff with the rule-configuration duty at
county level or above change it, and every change, refused ones included, is a rules.change row of the
安全日志."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ..duplicates.goods_kinds import GOODS_KINDS
from ..duplicates.rules import log_text
from ..i18n import _, _l
from ..ledger.models import AidItem
from ..modelbase import utcnow
from ..vocabulary import CATEGORIES
from . import mapping, recategorise
from .defaults import DEFAULT_AID_ITEMS


@dataclass
class Saved:
    item: AidItem
    refiled: recategorise.Refiled


def listing(session: Session) -> list[AidItem]:
    """Every pattern: unmapped ones first, most often met first, then the mapped ones by category and
    pattern. Defaults not yet written as rows are listed as they apply."""
    rows = {r.pattern: r for r in session.scalars(select(AidItem))}
    for pattern, category, kind in DEFAULT_AID_ITEMS:
        rows.setdefault(pattern, AidItem(pattern=pattern, category=category, goods_kind=kind, origin="default"))
    order = list(CATEGORIES)
    return sorted(rows.values(), key=lambda r: (r.category is not None, -r.seen if r.category is None else 0,
                                                order.index(r.category) if r.category in order else len(order),
                                                r.pattern))


def save_item(session: Session, actor, pattern: str, *, category: str, goods_kind: str | None) -> Saved:
    """Map `pattern` (an unmapped item, a default, or a new pattern) to `category` and `goods_kind`, and
    re-file the entries it covers in the actor's region."""
    from ..errors import DomainError, Forbidden
    from ..security import events

    pattern = mapping.unmapped_key(pattern or "")
    try:
        item = _apply(session, actor, pattern, category=category, goods_kind=goods_kind or None)
        refiled = recategorise.refile(session, actor, mapping.load(session), pattern)
    except DomainError as error:
        events.record(session, "rules.change", outcome="denied" if isinstance(error, Forbidden) else "failed",
                      actor=actor, aid_item=pattern[:40], reason=log_text(error.message)[:80])
        raise
    events.record(session, "rules.change", actor=actor, aid_item=pattern, category=item.category,
                  goods_kind=item.goods_kind or "不适用", recategorised=refiled.done, remaining=refiled.remaining)
    return Saved(item, refiled)


def _apply(session: Session, actor, pattern: str, *, category: str, goods_kind: str | None) -> AidItem:
    from ..auth.access import require_duty
    from ..errors import Forbidden, Invalid
    from ..privacy import pii_scan

    require_duty(actor, "rules")
    if len(actor.region_code or "") > 6:
        raise Forbidden(_l("救助项目映射全平台通用，只有县级及以上的工作人员可以修改。"))
    if len(pattern) < 2:
        raise Invalid(_l("救助项目须至少2个字。"), "pattern")
    # The pattern is quoted in the reason of every correction it causes, which the 衔接台账 carries.
    pii_scan.scan({"pattern": pattern}, labels={"pattern": _("救助项目")})
    if category not in CATEGORIES:
        raise Invalid(_l("请选择有效的需求类别。"), "category")
    if goods_kind is not None and goods_kind not in GOODS_KINDS:
        raise Invalid(_l("请选择有效的物资种类。"), "goods_kind")
    if goods_kind is not None and category != "goods":
        raise Invalid(_l("只有生活物资类的救助项目才填写物资种类。"), "goods_kind")
    item = session.scalars(select(AidItem).where(AidItem.pattern == pattern)).first()
    if item is None:
        item = AidItem(pattern=pattern, origin="staff")
        session.add(item)
    item.category, item.goods_kind = category, goods_kind
    item.updated_by_id, item.updated_at = actor.id, utcnow()
    session.flush()
    return item
