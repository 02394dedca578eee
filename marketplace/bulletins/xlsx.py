"""A bulletin as an XLSX workbook, one sheet per section, in the reader's language, through the platform's one
spreadsheet writer (spreadsheets.py): organisation names and offer titles are text others typed, so no cell is
ever a formula. Money keeps its fen here (two decimals); the printed page rounds to whole yuan."""

from decimal import Decimal

from ..i18n import N_, _, translate
from ..spreadsheets import Column, fit, write_xlsx_book
from . import present
from .models import MonthlyBulletin
from .period import CHINA, aware

TITLE = N_("月度衔接情况通报")
YUAN = "#,##0.00"
COUNT = "#,##0"
HOURS = "#,##0.0"
DAYS = "0.0"


def _cols(*specs) -> list[Column]:
    return [Column(header, fit(header, typical), fmt) for header, typical, fmt in specs]


def _money(fen: int | None) -> Decimal:
    return Decimal(fen or 0).scaleb(-2)


def _about(bulletin: MonthlyBulletin) -> tuple[str, list[Column], list[tuple]]:
    p = bulletin.payload
    generated = aware(bulletin.generated_at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    rows = [(_("地区"), p["region_name"]), (_("月份"), present.month_label(p["month"])),
            (_("统计期间"), f"{p['first']} – {p['last']}"), (_("生成时间"), generated),
            (_("口径"), _("需求按发布、首次认领、核验、到期的时间计入当月；帮扶按实际发生日期，更正以最新一条为准，作废不计；"
                        "救助盲区与超期无人认领的需求为月末数。"))]
    if not p.get("complete", True):
        rows.append((_("说明"), _("生成时本月尚未结束，数字截至生成时。")))
    return _("说明"), _cols((_("项目"), 10, None), (_("内容"), 60, None)), rows


def _summary(p: dict):
    rows = [(line.label, line.value, line.previous, line.change) for line in present.headline(p)]
    return _("概况"), _cols((_("指标"), 24, None), (_("本月"), 10, COUNT), (_("上月"), 10, COUNT),
                          (_("变化"), 8, COUNT)), rows


def _needs(p: dict):
    def row(r, name):
        return (name, r["posted"], r["claimed"], r["fulfilled"], r["expired"], r["days_to_claim"], r["days_to_verify"])

    rows = [row(r, present.category_name(r["category"])) for r in p["needs"]["rows"]]
    rows.append(row(p["needs"]["total"], _("合计")))
    names = [present.measure_name(m) for m in ("posted", "claimed", "fulfilled", "expired", "days_to_claim",
                                                 "days_to_verify")]
    return _("需求（按类别）"), _cols((_("类别"), 12, None), *((n, 8, COUNT) for n in names[:4]),
                                    *((n, 8, DAYS) for n in names[4:])), rows


def _amount_columns() -> list[tuple]:
    return [(present.measure_name("money_yuan"), 12, YUAN), (present.measure_name("goods"), 8, COUNT),
            (present.measure_name("hours"), 8, HOURS), (present.measure_name("households"), 8, COUNT),
            (present.measure_name("entries"), 8, COUNT)]


def _amounts(r: dict) -> tuple:
    return _money(r["money_fen"]), r["goods"], r["hours"], r["households"], r["entries"]


def _delivered(p: dict):
    rows = [(present.source_name(r["source"]), *_amounts(r)) for r in p["delivered"]["rows"]]
    rows.append((_("合计"), *_amounts(p["delivered"]["total"])))
    return _("帮扶（按来源）"), _cols((_("来源"), 14, None), *_amount_columns()), rows


def _organizations(p: dict):
    rows = [(present.organization_name(r), present.organization_kind(r), r["taken"], r["verified"], *_amounts(r))
            for r in p["organizations"]]
    return _("组织参与"), _cols((_("组织"), 28, None), (_("类型"), 8, None), (_("认领与认捐"), 8, COUNT),
                              (_("核验完成"), 8, COUNT), *_amount_columns()), rows


def _offers(p: dict):
    rows = [(r["organization"], r["title"], _("是") if r["serving"] else _("否"), r["made"], r["accepted"],
             r["declined"]) for r in p["offers"]["rows"]]
    return _("慈善项目"), _cols((_("组织"), 28, None), (_("项目名称"), 28, None), (_("本月服务本地区"), 6, None),
                              (_("定向转介"), 8, COUNT), (_("已接受"), 8, COUNT), (_("已谢绝"), 8, COUNT)), rows


def _family_referrals(p: dict):
    f = p["family_referrals"]
    rows = [(_("本月新转介"), f["filed"]), (_("本月办结"), f["decided_total"])]
    rows += [(_("其中：%(outcome)s", outcome=present.outcome_name(code)), n) for code, n in sorted(f["decided"].items())]
    rows.append((_("月末逾期未办结"), f["overdue"]))
    return _("困难家庭转介"), _cols((_("指标"), 20, None), (_("数量"), 8, COUNT)), rows


def _routing(p: dict):
    return _("分类推送"), _cols((_("指标"), 20, None), (_("数量"), 8, COUNT)), present.routing_rows(p["routing"])


def title() -> str:
    return translate(TITLE)


def write(bulletin: MonthlyBulletin, target) -> tuple[str, int]:
    """Write the workbook to `target`; (the file's title, rows written)."""
    p = bulletin.payload
    sheets = [_about(bulletin), _summary(p), _needs(p), _delivered(p), _organizations(p)]
    for key, sheet in (("offers", _offers), ("family_referrals", _family_referrals), ("routing", _routing)):
        if p.get(key):
            sheets.append(sheet(p))
    counts = write_xlsx_book(sheets, target)
    return title(), sum(counts)
