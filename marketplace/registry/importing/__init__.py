"""Loading a low-income registry (低收入人口名单) and government aid already paid, from the CSV or XLSX
files provincial systems export. Used by `marketplace import-registry`, `marketplace import-aid` and the
staff upload page.

    result = import_registry(engine, vault, path, dry_run=False, errors_path=None, scope_prefix=None,
                             actor_id=None, progress=None)
    result.summary()  # "imported=N updated=N unchanged=N rejected=N"

Both importers read the file in batches, each batch its own transaction (they are commands, and their
own commit point); a rejected row is written with its reasons to the errors CSV, never to logs or
stdout. A dry run validates and counts against the database but writes nothing there; it still writes
the errors CSV, which is its report. `scope_prefix` (a region-code prefix; the web upload always passes
the uploader's, the CLI runs as the operator with none) rejects rows outside it with "不在您负责的行政区划内",
and existing households are looked up inside it only: a 户编号 of another region is a rejected row
("该户属于其他行政区划"), never an update; `progress(processed_rows, total_rows_or_None)` is called after
every batch."""

from .aid_import import import_aid
from .registry_import import import_registry
from .report import ImportFileError, ImportResult

__all__ = ["ImportFileError", "ImportResult", "import_aid", "import_registry"]
