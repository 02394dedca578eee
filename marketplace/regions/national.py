"""The national county-level GB/T 2260 table, current and historical, from python-stdnum's cn/loc.dat
(kept current by that project), so any county in China is known without shipping our own copy."""

import re
from importlib import resources

from sqlalchemy import insert, select
from sqlmodel import Session

from .models import Region

_LINE = re.compile(r'^(?P<indent>\s*)(?P<code>\d+) (?P<kind>province|county)="(?P<name>[^"]*)"')
_RANGE = re.compile(r"^\[(?P<from>\d{4})?-(?P<to>\d{4})?\]")


def _parse_name(raw: str) -> tuple[str, bool]:
    """("亳州市", True) from "[2000-]亳州市"; a closed range ("[-2010]崇文区") is historical."""
    match = _RANGE.match(raw)
    if not match:
        return raw, True
    return raw[match.end():], match.group("to") is None


def national_rows() -> list[tuple[str, str, str, str | None, bool]]:
    """(code, name, level, parent_code, current) for every province, prefecture and county code."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    names: dict[str, tuple[str, bool]] = {}
    province = None
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        if match.group("kind") == "province":
            province = match.group("code")
            names[province + "0000"] = (match.group("name"), True)
            continue
        code = province + match.group("code")
        name, current = _parse_name(match.group("name"))
        if code not in names or current:  # a code reused over time: the current name wins
            names[code] = (name, current)
    rows = []
    for code, (name, current) in sorted(names.items()):
        if code.endswith("0000"):
            level, parent = "province", None
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
        else:
            level = "county"
            parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
        if code[4:] == "01" and name == "市辖区":
            continue  # a statistical placeholder, never a place a household lives in
        rows.append((code, name, level, parent, current))
    return rows


def ensure_national(session: Session) -> int:
    """Insert the codes not yet known; returns how many were added. Idempotent."""
    known = set(session.scalars(select(Region.code).where(Region.level.in_(("province", "prefecture", "county")))))
    missing = [
        {"code": c, "name": n, "level": lvl, "parent_code": p, "current": cur}
        for c, n, lvl, p, cur in national_rows() if c not in known
    ]
    for start in range(0, len(missing), 1000):
        # Parents sort before children (codes are ordered), so foreign keys hold batch by batch.
        session.execute(insert(Region), missing[start:start + 1000])
    session.flush()
    return len(missing)
