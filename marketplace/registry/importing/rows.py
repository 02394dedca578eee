"""One registry row, validated on its own: every problem in the row is reported (staff fix them in one
pass), and a row with any problem is rejected whole.

An optional column that is absent from the file leaves the stored value alone (a file without 联系电话
does not wipe phones); an empty cell in a present column clears it."""

from dataclasses import dataclass
from datetime import date
from functools import partial

from ...privacy.vault import Vault
from .. import idcard
from . import values
from .areas import Areas
from .columns import REGISTRY, ColumnMap
from .values import FieldError

EMPTY = "不能为空"
DIGEST_VERSION = "registry-v1"  # bump when normalisation or rules change, so old digests stop matching
ABSENT = "\x00"  # stands for an absent optional column in the digest


@dataclass(slots=True)
class RegistryRow:
    line: int
    cells: list[str]  # as read, for the errors CSV should the database refuse the row
    household_no: str
    head_name: str
    id_number: str
    id_hmac: str
    birth_year: int
    members: int
    tier: str
    region_code: str
    address: str | None
    phone: str | None
    hardships: list[str]
    enrolled_on: date | None
    digest: str
    present: frozenset[str]  # the optional columns the file carries


class RegistryParser:
    def __init__(self, columns: ColumnMap, *, vault: Vault, areas: Areas, today: date):
        self.vault, self.today = vault, today
        header = REGISTRY.header_of
        parsers = {
            "household_no": partial(values.text, header=header["household_no"], limit=32),
            "head_name": values.name,
            "id_number": partial(idcard.validate, today=today),
            "members": _memo(values.members),
            "tier": _memo(values.tier),
            "region_code": _memo(areas.check),
            "address": partial(values.text, header=header["address"], limit=200),
            "phone": values.phone,
            "hardships": _memo(values.hardships),
            "enrolled_on": _memo(partial(values.day, header=header["enrolled_on"], today=today)),
        }
        # (key, cell position, Chinese header, parser, required) for the columns present, in file order.
        self.fields = [(c.key, columns.index[c.key], c.header, parsers[c.key], c.required)
                       for c in REGISTRY.columns if c.key in columns.index]
        self.present = frozenset(key for key, *_ in self.fields if key in ("address", "phone", "hardships",
                                                                           "enrolled_on"))

    def parse(self, line: int, cells: list[str]) -> tuple[RegistryRow | None, list[tuple[str, str]], dict[str, str]]:
        """The row, or None and its problems as (header, reason); also the row's keys that are themselves
        valid (household_no, id_hmac), which later rows must not repeat."""
        problems: list[tuple[str, str]] = []
        parsed = {"address": None, "phone": None, "hardships": [], "enrolled_on": None}
        width = len(cells)
        for key, position, header, parse, required in self.fields:
            raw = cells[position].strip() if position < width else ""
            if not raw:
                if required:
                    problems.append((header, EMPTY))
                continue
            try:
                parsed[key] = parse(raw)
            except (FieldError, idcard.IdNumberError) as error:
                problems.append((header, str(error)))
        keys = {}
        if "household_no" in parsed:
            keys["household_no"] = parsed["household_no"]
        if "id_number" in parsed:
            keys["id_hmac"] = self.vault.lookup_key(parsed["id_number"][0])
        if problems:
            return None, problems, keys
        number, born = parsed["id_number"]
        present = self.present
        digest = self.vault.digest(
            DIGEST_VERSION, parsed["household_no"], parsed["head_name"], number, parsed["members"], parsed["tier"],
            parsed["region_code"],
            *(_text(parsed[key]) if key in present else ABSENT
              for key in ("address", "phone", "hardships", "enrolled_on")),
        )
        row = RegistryRow(line, cells, parsed["household_no"], parsed["head_name"], number, keys["id_hmac"],
                          born.year, parsed["members"], parsed["tier"], parsed["region_code"], parsed["address"],
                          parsed["phone"], parsed["hardships"], parsed["enrolled_on"], digest, present)
        return row, problems, keys


def _memo(parse):
    """A county's rows repeat a few hundred tiers, sizes, region codes, flag sets and dates: parse each
    distinct value once. Results are shared between rows and must not be mutated."""
    cache: dict[str, tuple[object, FieldError | None]] = {}

    def parse_once(raw: str):
        hit = cache.get(raw)
        if hit is None:
            try:
                hit = cache[raw] = (parse(raw), None)
            except FieldError as error:
                hit = cache[raw] = (None, error)
        if hit[1] is not None:
            raise hit[1]
        return hit[0]

    return parse_once


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(value)
    return value.isoformat() if isinstance(value, date) else str(value)
