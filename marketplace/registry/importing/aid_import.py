"""The aid import (政府救助发放记录): government payments already made, appended to each household's chain
through ledger.append (the only writer of chain entries) as source="government", kind="aid".

A row names its household by 户编号 or by 身份证号 (looked up by its keyed HMAC); when it gives both, they
must belong to the same household. Households are looked up inside `scope_prefix` only, and one outside
it is answered exactly as one that does not exist ("不在您负责的行政区划内或不存在"), so the import cannot
tell a clerk whether a 户编号 or ID number is registered in another county. Its external_key is a keyed digest of (household, item, amount,
date), unique in the ledger, so importing the file again appends nothing: those rows are `unchanged`, and
`updated` stays 0 (a paid entry is never edited; a correction is a new entry). Two identical payments in
one file are taken as one typed twice: the later row is rejected naming the earlier line.

救助项目 is kept as the entry's title and filed under the category (and goods kind, as the entry's
item_key, which the goods rule compares) of the longest pattern of the 救助项目 table it contains
(aid_items/: defaults for the national items, edited by staff on /staff/aid-items). An item no pattern
covers is filed as 其他, counted in the result (`unmapped`) and recorded as an unmapped row for staff to
map; mapping it later re-files its entries through corrections."""

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ...aid_items import mapping as aid_items
from ...ledger import service as ledger
from ...ledger.models import LedgerEntry
from ...privacy import pii_scan
from ...privacy.vault import Vault
from .. import idcard
from ..models import Household
from . import values
from .columns import AID
from .report import ImportResult, Rejection
from .rows import EMPTY
from .runner import Importer, in_chunks, run
from .values import FieldError

NO_KEY = "户编号和身份证号至少填写一项"
NOT_SAME = "身份证号与户编号不属于同一户"
# Unknown and out of scope are one answer: anything else tells a clerk what another county holds.
NOT_FOUND = "不在您负责的行政区划内或不存在"
_VERSION = "aid-v1"


def duplicate(line: int) -> str:
    return f"与第{line}行重复（同一户、同一救助项目、金额和发放日期）"


def _item(value: str) -> str:
    """救助项目 becomes a chain entry's title, shown in the 衔接台账 and reports: no identifier in it."""
    item = values.text(value, "救助项目", 60)
    if finding := pii_scan.find(item):
        raise FieldError(f"{finding.named('救助项目')}，请删去后重新导入该行")
    return item


class AidImporter(Importer):
    layout = AID

    def __init__(self, engine: Engine, vault: Vault, *, dry_run: bool, scope_prefix: str | None,
                 actor_id: int | None):
        self.engine, self.vault, self.dry_run = engine, vault, dry_run
        self.scope_prefix, self.actor_id = scope_prefix, actor_id
        self.today = date.today()
        self.seen: dict[str, int] = {}  # external key -> line it first appeared on
        self.mapping: aid_items.AidMapping | None = None  # read once, by the first batch

    def _parse(self, cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
        header = AID.header_of
        problems, row = [], {"household_no": cells.get("household_no", ""), "id_hmac": None}
        if cells.get("id_number"):
            try:
                number, _born = idcard.validate(cells["id_number"], self.today)
                row["id_hmac"] = self.vault.lookup_key(number)
            except idcard.IdNumberError as error:
                problems.append((header["id_number"], str(error)))
        elif not row["household_no"]:
            problems.append((header["household_no"] if self.columns.has("household_no") else header["id_number"],
                             NO_KEY))
        for key, parse in (("item", _item), ("amount", values.amount_fen),
                           ("paid_on", lambda v: values.day(v, "发放日期", self.today))):
            if not cells.get(key):
                problems.append((header[key], EMPTY))
                continue
            try:
                row[key] = parse(cells[key])
            except FieldError as error:
                problems.append((header[key], str(error)))
        return row, problems

    def _households(self, session, parsed) -> tuple[dict, dict]:
        """The households the file names, by 户编号 and by ID number's HMAC, inside the actor's scope only."""
        by_no, by_hmac = {}, {}
        numbers = {row["household_no"] for _, _, row in parsed if row["household_no"]}
        hmacs = {row["id_hmac"] for _, _, row in parsed if row["id_hmac"]}
        scoped = select(Household)
        if self.scope_prefix:
            scoped = scoped.where(Household.region_code.startswith(self.scope_prefix))
        for chunk in in_chunks(numbers):
            by_no.update((h.household_no, h) for h in session.scalars(scoped.where(Household.household_no.in_(chunk))))
        for chunk in in_chunks(hmacs):
            by_hmac.update((h.id_hmac, h) for h in session.scalars(scoped.where(Household.id_hmac.in_(chunk))))
        return by_no, by_hmac

    def _resolve(self, row: dict, by_no: dict, by_hmac: dict) -> tuple[Household | None, tuple[str, str] | None]:
        header = AID.header_of
        if row["household_no"]:
            household = by_no.get(row["household_no"])
            if household is None:
                return None, (header["household_no"], NOT_FOUND)
            if row["id_hmac"] and household.id_hmac != row["id_hmac"]:
                return None, (header["id_number"], NOT_SAME)
        else:
            household = by_hmac.get(row["id_hmac"])
            if household is None:
                return None, (header["id_number"], NOT_FOUND)
        return household, None

    def _write(self, session, parsed) -> list[Rejection]:
        rejections, found = [], []
        by_no, by_hmac = self._households(session, parsed)
        for line, cells, row in parsed:
            household, problem = self._resolve(row, by_no, by_hmac)
            if problem:
                rejections.append(Rejection(line, cells, [problem]))
                continue
            key = self.vault.digest(_VERSION, household.id, row["item"], row["amount"], row["paid_on"].isoformat())
            earlier = self.seen.setdefault(key, line)
            if earlier != line:
                rejections.append(Rejection(line, cells, [(AID.header_of["item"], duplicate(earlier))]))
                continue
            found.append((household, row, key))
        recorded = set()
        for chunk in in_chunks([key for _, _, key in found]):
            recorded.update(session.scalars(select(LedgerEntry.external_key).where(LedgerEntry.external_key.in_(chunk))))
        self.mapping = self.mapping or aid_items.load(session)
        filed, unmapped = Counter(), Counter()
        for household, row, key in found:
            if key in recorded:
                self.result.unchanged += 1
                continue
            mapped = self.mapping.lookup(row["item"])
            if mapped:
                filed[mapped.pattern] += 1
            else:
                unmapped[aid_items.unmapped_key(row["item"])] += 1
            if not self.dry_run:
                ledger.append(session, household, source="government", kind="aid", funding="fiscal",
                              category=mapped.category if mapped else aid_items.UNMAPPED_CATEGORY,
                              item_key=mapped.goods_kind if mapped else None, title=row["item"],
                              amount_fen=row["amount"], occurred_on=row["paid_on"], recorded_by_id=self.actor_id,
                              external_key=key)
            self.result.imported += 1
        self.result.unmapped += unmapped.total()
        self.result.unmapped_items.update(unmapped)
        if not self.dry_run:
            aid_items.record_seen(session, filed, unmapped)
        return rejections


def import_aid(engine: Engine, vault: Vault, path, *, dry_run: bool = False, errors_path=None,
               scope_prefix: str | None = None, actor_id: int | None = None, progress=None) -> ImportResult:
    """Import government aid payments (see the module docstring). Raises ImportFileError, with nothing
    written, when the file cannot be read or lacks a required header."""
    importer = AidImporter(engine, vault, dry_run=dry_run, scope_prefix=scope_prefix, actor_id=actor_id)
    return run(importer, path, errors_path=errors_path, progress=progress)
