"""Region codes in a registry file: 6 digits (county), 9 (township) or 12 (village/community), the first 6
always a county the platform knows (the national GB/T 2260 table is loaded first, so any county in China
is known). The four prefecture-level cities without counties (东莞, 中山, 儋州, 嘉峪关) count as counties:
their townships hang directly below them.

A township or village is created the first time a code for it appears. Its real name is not in the file,
so it is named after its code ("乡镇341621100", "村(社区)341621100201") until staff rename it; that is
honest on public pages, where a made-up name would not be."""

import re

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ...regions.models import Region
from ...regions.national import national_rows
from .values import FieldError

OUT_OF_SCOPE = "不在您负责的行政区划内"
_CODE = re.compile(r"\d{6}(?:\d{3}){0,2}")


class Areas:
    def __init__(self, connection: Connection, *, include_national: bool, scope_prefix: str | None):
        levels = dict(connection.execute(select(Region.code, Region.level)).all())
        if include_national:  # a dry run does not load the table, but must judge codes as a real run would
            for code, _name, level, _parent, _current in national_rows():
                levels.setdefault(code, level)
        self.known = set(levels)
        counties = {code for code, level in levels.items() if level == "county"}
        with_counties = {code[:4] for code in counties}
        self.counties = counties | {
            code for code, level in levels.items() if level == "prefecture" and code[:4] not in with_counties
        }
        self.scope_prefix = scope_prefix
        self._pending: dict[str, dict] = {}

    def check(self, text: str) -> str:
        if not _CODE.fullmatch(text):
            raise FieldError("行政区划代码应为6、9或12位数字")
        if text[:6] not in self.counties:
            raise FieldError(f"行政区划代码前6位「{text[:6]}」不是平台已知的县级行政区划")
        if self.scope_prefix and not text.startswith(self.scope_prefix):
            raise FieldError(OUT_OF_SCOPE)
        return text

    def want(self, code: str) -> None:
        """Remember that `code` (already checked) must exist before a household refers to it."""
        if len(code) >= 9 and code[:9] not in self.known and code[:9] not in self._pending:
            self._pending[code[:9]] = {"code": code[:9], "name": f"乡镇{code[:9]}", "level": "township",
                                       "parent_code": code[:6], "current": True}
        if len(code) == 12 and code not in self.known and code not in self._pending:
            self._pending[code] = {"code": code, "name": f"村(社区){code}", "level": "village",
                                   "parent_code": code[:9], "current": True}

    def create_pending(self, session: Session) -> int:
        """Insert the wanted townships and villages (townships first) in the caller's transaction."""
        rows = sorted(self._pending.values(), key=lambda row: len(row["code"]))
        if rows:
            session.execute(insert(Region.__table__), rows)
        return len(rows)

    def committed(self) -> None:
        self.known.update(self._pending)
        self._pending.clear()

    def rolled_back(self) -> None:
        self._pending.clear()
