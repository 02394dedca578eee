"""Columns are matched by header, in any order: the Chinese header or an English alias, surrounding
whitespace (also full-width) and a trailing required-marker asterisk ignored, English case-insensitive.

Registry files (低收入人口名单) need 户编号, 户主姓名, 身份证号, 家庭人口, 救助类别 and 行政区划代码: the
issue lists the last three without "optional", and a household cannot be placed in a tier or a region
without them. 详细地址, 联系电话, 困难情形 and 纳入日期 may be absent or empty.

Aid files (政府救助发放记录) need 救助项目, 金额 and 发放日期, and at least one of 户编号 and 身份证号
(each row must fill one of them)."""

from dataclasses import dataclass

from .report import ImportFileError


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, used in every message
    aliases: tuple[str, ...] = ()
    required: bool = False


REGISTRY_COLUMNS = (
    Column("household_no", "户编号", ("household_no", "户号", "家庭编号"), required=True),
    Column("head_name", "户主姓名", ("head_name", "户主", "姓名"), required=True),
    Column("id_number", "身份证号", ("id_number", "身份证号码", "公民身份号码", "户主身份证号"), required=True),
    Column("members", "家庭人口", ("members", "家庭人口数", "人口数", "保障人口"), required=True),
    Column("tier", "救助类别", ("tier", "救助类型", "保障类别"), required=True),
    Column("region_code", "行政区划代码", ("region_code", "区划代码"), required=True),
    Column("address", "详细地址", ("address", "家庭住址", "住址")),
    Column("phone", "联系电话", ("phone", "电话", "手机号", "手机号码")),
    Column("hardships", "困难情形", ("hardships", "困难类型")),
    Column("enrolled_on", "纳入日期", ("enrolled_on", "纳入时间")),
)

AID_COLUMNS = (
    Column("household_no", "户编号", ("household_no", "户号", "家庭编号")),
    Column("id_number", "身份证号", ("id_number", "身份证号码", "公民身份号码", "户主身份证号")),
    Column("item", "救助项目", ("item", "aid_item", "项目名称"), required=True),
    Column("amount", "金额", ("amount", "金额（元）", "金额(元)", "发放金额"), required=True),
    Column("paid_on", "发放日期", ("paid_on", "发放时间"), required=True),
)
# An aid row is found by either key; the file must carry at least one of these columns.
AID_KEYS = ("household_no", "id_number")


def normalise_header(text: str) -> str:
    text = (text or "").replace("\ufeff", "").strip().rstrip("*＊").strip()
    return text.casefold()


def _lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    table = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            table[normalise_header(name)] = column
    return table


@dataclass
class ColumnMap:
    columns: tuple[Column, ...]
    index: dict[str, int]  # column key -> cell position
    unknown: list[str]

    def has(self, key: str) -> bool:
        return key in self.index

    def values(self, cells: list[str]) -> dict[str, str]:
        """The row's known cells, stripped; a short row's missing cells count as empty."""
        return {key: (cells[i].strip() if i < len(cells) else "") for key, i in self.index.items()}


class Layout:
    """The columns one kind of file understands."""

    def __init__(self, columns: tuple[Column, ...], one_of: tuple[str, ...] = ()):
        self.columns = columns
        self.one_of = one_of
        self._lookup = _lookup(columns)
        self.header_of = {c.key: c.header for c in columns}

    def is_header(self, cells: list[str]) -> bool:
        return len({self._lookup[n].key for n in map(normalise_header, cells) if n in self._lookup}) >= 2

    def match(self, cells: list[str]) -> ColumnMap:
        index: dict[str, int] = {}
        unknown: list[str] = []
        for position, cell in enumerate(cells):
            name = normalise_header(cell)
            if not name:
                continue
            column = self._lookup.get(name)
            if column is None:
                unknown.append(cell.strip())
            elif column.key in index:
                raise ImportFileError(f"表头中「{column.header}」列出现了不止一次，请删除重复的列。")
            else:
                index[column.key] = position
        missing = [c.header for c in self.columns if c.required and c.key not in index]
        if self.one_of and not any(key in index for key in self.one_of):
            missing.append("或".join(self.header_of[key] for key in self.one_of))
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。请确认第一行是表头，列名与模板一致。")
        return ColumnMap(self.columns, index, unknown)


REGISTRY = Layout(REGISTRY_COLUMNS)
AID = Layout(AID_COLUMNS, one_of=AID_KEYS)
