"""救助对象 finder: the households of the staff member's region found by 对象编号 or 户编号 prefix, township,
tier, hardship flags and months without aid (a paged list), or by the head's exact name or ID number
through their keyed lookups (privacy/identity.py), never by reading plaintext. Every query is limited to
the actor's region subtree, like every bulk path."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, cast, exists, func, or_, select
from sqlmodel import Session

from .. import paging
from ..auth.access import in_scope, in_scope_sql, require_staff_for, within_sql
from ..db import keep_even_on_rollback
from ..errors import Forbidden, Invalid
from ..i18n import _, ngettext
from ..inputs import int_arg
from ..ledger import effective
from ..ledger.models import LedgerEntry
from ..paging import Page, PageRequest
from ..privacy.identity import mask_id, name_lookup, normalise_name
from ..privacy.vault import Vault
from ..regions.models import Region
from ..reports.blind_spots import has_flag
from ..reports.filters import months_before
from ..vocabulary import HARDSHIPS, TIERS, label
from . import idcard
from .models import AccessLog, Household
from .service import listed as _listed

# Households with one name in one region: a page shows them all (a common name in a county is a few dozen).
NAME_MATCHES = 200
# A township select lists at most this many; a larger region (a city, a province) types a code instead.
TOWNSHIP_CHOICES = 300


@dataclass(frozen=True)
class Criteria:
    """What the list is filtered by (all optional; all of them must hold)."""

    q: str = ""  # the start of a 对象编号 or a 户编号
    tier: str = ""
    region: str = ""  # a township (or any division) inside the actor's region
    flags: tuple[str, ...] = ()
    months: int | None = None  # no effective aid in this many months

    @property
    def any(self) -> bool:
        return bool(self.q or self.tier or self.region or self.flags or self.months)

    def args(self) -> dict:
        return {"q": self.q, "tier": self.tier, "region": self.region, "flag": list(self.flags),
                "months": self.months or ""}


@dataclass(frozen=True)
class Found:
    """The outcome of a lookup by name or ID number."""

    kind: str  # "name" or "id_number"
    shown: str  # what was looked for, as the page may repeat it (an ID number masked)
    page: Page = field(default_factory=Page)


def criteria_from(actor, args) -> Criteria:
    """The list's filters from the query string; anything out of range is a 422 naming the field."""
    q = (args.get("q") or "").strip()
    if len(q) > 32:
        raise Invalid(_("对象编号或户编号最多32个字符。"), "q")
    tier = args.get("tier", "")
    region = (args.get("region") or "").strip()
    if region and not (region.isdigit() and len(region) in (6, 9, 12)):
        raise Invalid(_("乡镇（地区代码）须为6、9或12位数字。"), "region")
    if region and not in_scope(actor, region):
        raise Forbidden(_("所选地区不在您负责的行政区划内。"))
    flags = tuple(dict.fromkeys(f for f in args.getlist("flag") if f))
    unknown = [f for f in flags if f not in HARDSHIPS]
    if unknown:
        raise Invalid(_("未知的困难情形：%(names)s。", names=_listed(unknown)), "flag")
    months = int_arg(args, "months", 0, low=1, high=120, label=_("无救助月数")) if args.get("months") else None
    return Criteria(q, tier if tier in TIERS else "", region, flags, months)


def _prefix(session: Session, column, text: str):
    """`column` starts with `text`, as its index answers it: on PostgreSQL LIKE 'text%' (a btree in the C
    collation serves it); on SQLite a range, since its LIKE ignores case and so skips the index."""
    like = column.startswith(text, autoescape=True)
    if session.get_bind().dialect.name != "sqlite":
        return like
    return (column >= text) & (column < text[:-1] + chr(ord(text[-1]) + 1)) & like


def households(session: Session, actor, want: PageRequest = PageRequest(), criteria: Criteria = Criteria(), *,
               today: date | None = None) -> Page:
    """A counted page of the actor's region's households matching `criteria`, by public code."""
    require_staff_for(actor, actor.region_code)
    cutoff = months_before(today or date.today(), criteria.months) if criteria.months else None

    def listed(lead: str):
        place = paging.leading(session, Household.region_code, lead, paging.SCOPE)
        query = select(Household).where(in_scope_sql(actor, place))
        if criteria.region:
            query = query.where(within_sql(place, criteria.region))
        if criteria.tier:
            query = query.where(paging.leading(session, Household.tier, lead) == criteria.tier)
        if criteria.q:  # both columns are unique, so indexed: their ranges lead whatever the shape
            query = query.where(or_(_prefix(session, Household.public_code, criteria.q.upper()),
                                    _prefix(session, Household.household_no, criteria.q)))
        if criteria.flags:
            query = query.where(cast(Household.hardships, String) != "[]", *(has_flag(f) for f in criteria.flags))
        if cutoff is not None:
            # As in 救助盲区: an entry that was voided or corrected away is no aid (ledger/effective.py); the
            # (household_id, occurred_on) index answers it per household.
            query = query.where(~exists(select(LedgerEntry.id).where(
                LedgerEntry.household_id == Household.id, LedgerEntry.occurred_on > cutoff,
                effective.is_effective())))
        return query.order_by(Household.public_code)

    rows = session.scalar(select(func.max(Household.id))) or 0
    return paging.counted_in_scope(session, listed, want, rows_in_table=rows, scalars=True)


def looks_like_id_number(text: str) -> bool:
    """An ID number typed where a code goes: searched as one, so it is never repeated in a link."""
    return idcard.is_valid(text)


def find_by_identity(session: Session, actor, vault: Vault, *, path: str, name: str = "",
                     id_number: str = "") -> Found:
    """The actor's region's households whose head has exactly this name, or this ID number, found by their
    keyed lookups. Each household shown is written to the access log (the search tied a person to it)."""
    require_staff_for(actor, actor.region_code)
    if bool(name.strip()) == bool(id_number.strip()):
        raise Invalid(_("请填写户主姓名或身份证号（二者填一项）。"), "name")
    if id_number.strip():
        try:
            number, _born = idcard.validate(id_number)
        except idcard.IdNumberError as error:
            raise Invalid(_("%(error)s。", error=error), "id_number") from None
        condition, kind, shown = Household.id_hmac == vault.lookup_key(number), "id_number", mask_id(number)
        action = "find_by_id"
    else:
        shown = normalise_name(name)
        if len(shown) > 50:
            raise Invalid(_("户主姓名最多50个字符。"), "name")
        condition, kind, action = Household.name_hmac == name_lookup(vault, shown), "name", "find_by_name"
    query = (select(Household).where(condition, in_scope_sql(actor, Household.region_code))
             .order_by(Household.public_code).limit(NAME_MATCHES + 1))
    rows = list(session.scalars(query))
    total = len(rows) if len(rows) <= NAME_MATCHES else session.scalar(
        select(func.count()).select_from(Household).where(condition, in_scope_sql(actor, Household.region_code)))
    rows = rows[:NAME_MATCHES]
    for household in rows:
        keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=household.id, action=action,
                                                  path=path[:255]))
    session.flush()
    return Found(kind, shown, Page(rows, 1, NAME_MATCHES, False, total))


def townships(session: Session, actor) -> list[tuple[str, str]] | None:
    """(code, name) of the townships in the actor's region for a select, or None when there are too many."""
    rows = session.execute(select(Region.code, Region.name)
                           .where(Region.level == "township", Region.current.is_(True),
                                  within_sql(Region.code, actor.region_code))
                           .order_by(Region.code).limit(TOWNSHIP_CHOICES + 1)).all()
    return None if len(rows) > TOWNSHIP_CHOICES else [tuple(row) for row in rows]


def scope_name(session: Session, actor) -> str:
    return session.scalar(select(Region.name).where(Region.code == actor.region_code)) or actor.region_code


def explain_list(session: Session, actor, criteria: Criteria) -> str:
    """Why the list is empty: what was searched, where, and what else to try."""
    where = scope_name(session, actor)
    if not criteria.any:
        return _("%(where)s范围内还没有救助对象：请先导入低收入人口名单。", where=where)
    parts = []
    if criteria.q:
        parts.append(_("对象编号或户编号以「%(q)s」开头", q=criteria.q))
    if criteria.region:
        place = session.scalar(select(Region.name).where(Region.code == criteria.region)) or criteria.region
        parts.append(_("地区为%(place)s", place=place))
    if criteria.tier:
        parts.append(_("救助类别为%(tier)s", tier=label(TIERS, criteria.tier)))
    if criteria.flags:
        parts.append(_("困难情形含%(flags)s", flags=_listed(_(flag) for flag in criteria.flags)))
    if criteria.months:
        parts.append(ngettext("近%(num)s个月没有救助", "近%(num)s个月没有救助", criteria.months))
    hint = _("编号按开头匹配，须从第一位输入") if criteria.q else _("条件同时满足才列出")
    return _("在%(where)s范围内查找%(what)s的户：0 户。%(hint)s；可减少条件再试，或按户主姓名、身份证号精确查找。",
             where=where, what=_listed(parts), hint=hint)


def explain_found(session: Session, actor, found: Found) -> str:
    where = scope_name(session, actor)
    if found.kind == "name":
        return _("在%(where)s范围内按姓名精确查找「%(name)s」：0 户。姓名须与名单一致（空格与全角字符不计），"
                 "不按部分姓名查找；也可按户编号前缀、对象编号前缀或身份证号查找。", where=where, name=found.shown)
    return _("在%(where)s范围内按身份证号查找「%(number)s」：0 户。该身份证号不在您负责区域的名单中；"
             "也可按户主姓名或户编号前缀查找。", where=where, number=found.shown)
