"""What an import tells its caller: the counts, the rejected rows and the errors CSV.

The errors CSV holds the rejected rows with their original values, except that ID numbers and phone
numbers are masked in every cell (341602********4523, 138****5678): the file is downloaded and passed
around, and the row number and the rest of the row are enough to find the record in the upload. It is the
staff member's own file, written next to their upload, never logged, and deleted by the worker a day after
the job ended. It keeps the original headers, so staff can correct the rows in their own file (the added
行号/列/原因 columns are reported as unknown and ignored if imported). UTF-8 with BOM, because Excel opens
that without asking; written through the formula-safe writer."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ...privacy.masking import mask_identifiers
from ...private_files import open_private
from ...spreadsheets import SafeCsvWriter


class ImportFileError(Exception):
    """The file cannot be read, or required headers are missing: nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors_path: Path | None = None
    unknown_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Aid import: entries filed as 其他 because no 救助项目 pattern covers their item, and those items.
    unmapped: int = 0
    unmapped_items: set[str] = field(default_factory=set)

    def summary(self) -> str:
        counts = f"imported={self.imported} updated={self.updated} unchanged={self.unchanged} rejected={self.rejected}"
        return counts + (f" unmapped={self.unmapped}" if self.unmapped else "")

    def unmapped_note(self) -> str | None:
        """The sentence the import page and the CLI show, naming how many, never which rows."""
        if not self.unmapped:
            return None
        return (f"{self.unmapped}条发放记录的救助项目（{len(self.unmapped_items)}项）尚未映射到需求类别，已暂记为「其他」，"
                "请在「救助项目映射」页面归类。")


@dataclass
class Rejection:
    """A row rejected whole: its file line and every problem found, as (column header, reason)."""

    line: int
    values: list[str]
    problems: list[tuple[str, str]]


REPORT_COLUMNS = ("行号", "列", "原因")
# A reason quotes the cell it is about in 「」: that part is masked, the rest is our own wording (whose
# examples, such as 0558-7212345, stay as written).
_QUOTED = re.compile(r"「[^」]*」")


def default_errors_path(path: Path) -> Path:
    return path.with_name(path.stem + ".errors.csv")


class ErrorReport:
    """Writes rejected rows as they are found, so a quarter-million-row file never sits in memory.
    The file is created on the first rejection only; a stale report from an earlier run is removed."""

    def __init__(self, path: Path, headers: list[str]):
        self.path = path
        self._headers = headers
        self._handle = None
        self._writer = None
        self.count = 0

    def add(self, rejection: Rejection) -> None:
        if self._writer is None:
            self._handle = open_private(self.path, "w", encoding="utf-8-sig", newline="")
            self._writer = SafeCsvWriter(self._handle)
            self._writer.writerow([*REPORT_COLUMNS, *self._headers])
        columns = "、".join(dict.fromkeys(column for column, _ in rejection.problems))
        reasons = "；".join(reason for _, reason in rejection.problems)
        self._writer.writerow([rejection.line, columns, _QUOTED.sub(lambda m: mask_identifiers(m.group(0)), reasons),
                               *(mask_identifiers(value) for value in rejection.values)])
        self.count += 1

    def close(self) -> Path | None:
        if self._handle is not None:
            self._handle.close()
            return self.path
        self.path.unlink(missing_ok=True)
        return None
