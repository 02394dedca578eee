"""A household's personal-information copy (个人信息副本, PIPL art. 45: the right to consult and copy what
is held), produced by staff of its region who keep the registry, to hand to the household.

One workbook: what is held (identifiers decrypted, registry facts), how the registry record changed, the
assistance chain, the needs posted for it, and every access-log row: who (and which organisation) saw its
contact, address or file, when and why. Producing it is itself a view of everything: an access-log row
written even if the request fails afterwards, and a security-log row. Every cell goes through
spreadsheets.py, so text someone typed never runs as a formula."""

import io
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from .. import vocabulary as V
from ..auth.access import found, require_staff_for
from ..auth.models import AppUser
from ..db import keep_even_on_rollback
from ..i18n import N_
from ..ledger.models import LedgerEntry
from ..modelbase import utcnow
from ..needs.listing import area_names
from ..needs.models import Need
from ..organizations.models import Organization
from ..registry.models import AccessLog, Household, HouseholdHistory
from ..security import events
from ..security.throttle import LOCAL
from ..spreadsheets import Column, fit, write_xlsx_book
from .identity import reveal
from .retention import Periods
from .vault import Vault

DUTY = "registry_import"  # policy "privacy.copy": those who keep the registry hold the identities
ACTION = "pi_copy"
# Stored in access_log.purpose as Chinese data, translated where shown; the workbook itself stays Chinese
# (a copy handed to the household, in the registry's language).
PURPOSE = N_("应本人请求提供个人信息副本（个人信息保护法第四十五条）")
TITLE = "个人信息副本"
STATUSES = {"active": "在册"}
YUAN = "#,##0.00"
_ITEM = [Column("项目", fit("项目", 14)), Column("内容", fit("内容", 48))]


def household_for_copy(session: Session, actor, public_code: str, path: str) -> Household:
    """The household, if the actor may produce its copy; the act is access-logged (kept on rollback)."""
    household = found(session.scalars(select(Household).where(Household.public_code == public_code)).first(), N_("该户"))
    require_staff_for(actor, household.region_code, duty=DUTY)
    keep_even_on_rollback(session, AccessLog(user_id=actor.id, household_id=household.id, action=ACTION,
                                              purpose=PURPOSE, path=path[:255]))
    session.flush()
    return household


def produce(session: Session, actor, household: Household, vault: Vault, periods: Periods) -> bytes:
    """The workbook's bytes (one household's data is small; nothing is written to disk), and the security-log
    row of its production."""
    now = utcnow()
    sheets = [
        ("说明", _ITEM, _about(actor, household, now, periods)),
        ("持有的信息", _ITEM, _held(session, household, vault)),
        ("变更记录", _HISTORY, _history(session, household)),
        ("救助链", _CHAIN, _chain(session, household)),
        ("需求", _NEEDS, _needs(session, household)),
        ("查看记录", _VIEWS, _views(session, household)),
    ]
    out = io.BytesIO()
    counts = write_xlsx_book(sheets, out)
    events.record(session, "pi_copy", actor=actor, region_code=household.region_code, rows=sum(counts[2:]),
                  household=household.public_code)
    return out.getvalue()


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LOCAL).replace(tzinfo=None) if moment else None


def _about(actor, household: Household, now: datetime, days: Periods):
    yield ("对象编号", household.public_code)
    yield ("生成时间", _local(now).strftime("%Y-%m-%d %H:%M"))
    yield ("生成人", f"{actor.display_name}（{V.ROLES.get(actor.role, actor.role)}）")
    yield ("依据", "《个人信息保护法》第四十五条：个人有权查阅、复制其个人信息。")
    yield ("内容", "本平台持有的该户个人信息、名单变更记录、救助链、为该户发布的需求，以及谁在何时查看过该户的联系方式、"
                 "服务地址或户主身份信息。")
    yield ("保存期限：户主身份信息", f"退出救助名单后 {days.identity} 天清除；救助链记录保留，不含身份信息。")
    yield ("保存期限：帮扶凭证说明", f"审核后 {days.evidence} 天清除。")
    yield ("保存期限：联系方式与地址查看记录", f"查看后 {days.disclosures} 天删除。")
    yield ("保存期限：其他访问日志", f"记录后 {days.access_log} 天删除。")
    if household.identity_purged_at:
        yield ("身份信息", f"已于 {_local(household.identity_purged_at):%Y-%m-%d} 按保存期限清除，本平台不再持有。")


def _held(session: Session, household: Household, vault: Vault):
    identity = reveal(household, vault)
    purged = "已按保存期限清除" if household.identity_purged_at else ""
    area = area_names(session, {household.region_code})[household.region_code]
    yield ("户主姓名", identity.name or purged)
    yield ("身份证号", identity.id_number or purged)
    yield ("联系电话", identity.phone or purged)
    yield ("详细地址", identity.address or purged)
    yield ("户编号", household.household_no or "")
    yield ("对象编号", household.public_code)
    yield ("救助类别", V.TIERS.get(household.tier, household.tier))
    yield ("地区", f"{area}（{household.region_code}）")
    yield ("家庭人口", household.members)
    yield ("困难情形", "、".join(household.hardships or []))
    yield ("户主出生年份", household.head_birth_year)
    yield ("纳入日期", household.enrolled_on)
    yield ("名单状态", STATUSES.get(household.status, "已退出救助名单"))
    yield ("登记时间", _local(household.created_at))
    yield ("最近更新", _local(household.updated_at))
    yield ("退出名单时间", _local(household.left_at))
    yield ("身份信息清除时间", _local(household.identity_purged_at))


_HISTORY = [Column("时间", fit("时间", 16)), Column("来源", fit("来源", 24)), Column("变更内容", fit("变更内容", 60))]


def _history(session: Session, household: Household):
    rows = session.scalars(select(HouseholdHistory).where(HouseholdHistory.household_id == household.id)
                           .order_by(HouseholdHistory.id))
    for row in rows:
        changes = "；".join(f"{name}：{_change(value)}" for name, value in (row.changes or {}).items())
        yield (_local(row.at), row.source, changes)


def _change(value) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{value[0]} → {value[1]}"
    return "已变更" if value == "changed" else str(value)


_CHAIN = [Column("链上序号", fit("链上序号", 4), "0"), Column("发生日期", fit("发生日期", 10)),
          Column("来源", fit("来源", 8)), Column("类别", fit("类别", 10)), Column("项目", fit("项目", 30)),
          Column("金额（元）", fit("金额（元）", 12), YUAN), Column("数量", fit("数量", 6), "0"), Column("单位", 6),
          Column("服务时长（小时）", fit("服务时长（小时）", 6), "0.0"), Column("帮扶方", fit("帮扶方", 24)),
          Column("更正的记录", fit("更正的记录", 6)), Column("说明", fit("说明", 30)),
          Column("登记时间", fit("登记时间", 16)), Column("本条哈希", fit("本条哈希", 64))]


def _chain(session: Session, household: Household):
    rows = session.execute(select(LedgerEntry, Organization.name)
                           .outerjoin(Organization, Organization.id == LedgerEntry.organization_id)
                           .where(LedgerEntry.household_id == household.id).order_by(LedgerEntry.seq)).all()
    seq_of = {entry.id: entry.seq for entry, _ in rows}
    for entry, org in rows:
        yield (entry.seq, entry.occurred_on, V.LEDGER_SOURCES.get(entry.source, entry.source),
               V.CATEGORIES.get(entry.category, entry.category), entry.title,
               entry.amount_fen / 100 if entry.amount_fen is not None else None, entry.quantity, entry.unit,
               entry.hours, org or ("政府部门" if entry.source == "government" else ""),
               f"第{seq_of[entry.corrects_id]}条" if entry.corrects_id in seq_of else "", entry.note,
               _local(entry.created_at), entry.entry_hash)


_NEEDS = [Column("需求编号", fit("需求编号", 6), "0"), Column("标题", fit("标题", 24)), Column("类别", fit("类别", 8)),
          Column("形式", fit("形式", 4)), Column("状态", fit("状态", 6)), Column("截止日期", fit("截止日期", 10)),
          Column("发布时间", fit("发布时间", 16)), Column("联系方式共享依据", fit("联系方式共享依据", 24)),
          Column("描述", fit("描述", 40))]


def _needs(session: Session, household: Household):
    for need in session.scalars(select(Need).where(Need.household_id == household.id).order_by(Need.id)):
        yield (need.id, need.title, V.CATEGORIES.get(need.category, need.category), V.FORMS.get(need.form, need.form),
               V.NEED_STATUSES.get(need.status, need.status), need.deadline, _local(need.published_at),
               V.CONTACT_BASES.get(need.contact_basis, need.contact_basis), need.description)


_VIEWS = [Column("时间", fit("时间", 16)), Column("查看内容", fit("查看内容", 16)), Column("查看人", fit("查看人", 12)),
          Column("身份", fit("身份", 10)), Column("所属组织或行政区划", fit("所属组织或行政区划", 24)),
          Column("目的", fit("目的", 30)), Column("页面", fit("页面", 30))]


def _views(session: Session, household: Household):
    rows = session.execute(
        select(AccessLog, AppUser.display_name, AppUser.role, AppUser.region_code, Organization.name)
        .join(AppUser, AppUser.id == AccessLog.user_id)
        .outerjoin(Organization, Organization.id == AppUser.organization_id)
        .where(AccessLog.household_id == household.id).order_by(AccessLog.id)).all()
    places = area_names(session, {region for *_, region, _org in rows if region})
    for row, name, role, region, org in rows:
        yield (_local(row.at), V.ACCESS_ACTIONS.get(row.action, row.action), name, V.ROLES.get(role, role),
               org or (places.get(region, region) if region else ""), row.purpose, row.path)
