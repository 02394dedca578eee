"""The loop both importers share: open the file, match the header, then validate and write batch by
batch, each batch its own transaction, so memory stays flat and an interrupted import leaves only whole
batches behind. Re-running the file then finds those rows unchanged and carries on: the end state is
that of one clean import.

The importer is a command and is its own commit point (unlike services, which never commit)."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from .columns import ColumnMap, Layout
from .report import ErrorReport, ImportFileError, ImportResult, Rejection, default_errors_path
from .sources import open_table

# Rows per transaction. Larger batches amortise SQLite's index page writes (ID lookup keys and public
# codes are random, so a batch dirties pages all over the indexes); 5,000 keeps a batch well under a second.
BATCH_SIZE = 5000
# SQLite page cache for the import's connection, so the indexes stay in memory across batches.
SQLITE_CACHE_KIB = 65536
_IN_CHUNK = 500  # bound parameters per IN (...): stays under the limit of older SQLite builds

Progress = Callable[[int, int | None], None]


def in_chunks(values: Iterable, size: int = _IN_CHUNK) -> Iterator[list]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def import_connection(engine: Engine, dry_run: bool):
    """One connection for the whole import, with a larger page cache on SQLite (restored afterwards, as
    the connection goes back to the pool). A dry run's connection only ever reads."""
    if dry_run:
        engine = engine.execution_options(read_only=True)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            connection.commit()
        try:
            yield connection
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")
                connection.commit()


@contextmanager
def unit_of_work(connection: Connection, dry_run: bool):
    """A batch's transaction (BEGIN IMMEDIATE on SQLite, see db.py): committed whole, or, in a dry run
    or on any error, rolled back whole."""
    with connection.begin() as trans:
        session = Session(bind=connection, expire_on_commit=False)
        try:
            yield session
            session.flush()
            if dry_run:
                trans.rollback()
        finally:
            session.close()


class Importer:
    """One kind of import. `prepare` runs once the header is known good (it may write reference data);
    `batch` validates one batch and writes it through `self.connection` in its own transaction
    (`unit_of_work`), adding to `self.result`, and returns the rejected rows."""

    layout: Layout
    engine: Engine
    dry_run: bool
    connection: Connection
    result: ImportResult

    def prepare(self, columns: ColumnMap) -> None:
        self.columns = columns

    def batch(self, rows: list[tuple[int, list[str]]]) -> list[Rejection]:
        """Parse every row on its own; write the good ones in one transaction."""
        rejections, parsed = [], []
        for line, cells in rows:
            row, problems = self._parse(self.columns.values(cells))
            if problems:
                rejections.append(Rejection(line, cells, problems))
            else:
                parsed.append((line, cells, row))
        with unit_of_work(self.connection, self.dry_run) as session:
            rejections += self._write(session, parsed)
        return rejections

    def _parse(self, cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
        raise NotImplementedError

    def _write(self, session, parsed: list) -> list[Rejection]:
        raise NotImplementedError


def run(importer: Importer, path, *, errors_path, progress: Progress | None) -> ImportResult:
    path = Path(path)
    errors_path = Path(errors_path) if errors_path else default_errors_path(path)
    if errors_path.resolve() == path.resolve():
        raise ImportFileError("错误报告文件不能与导入文件相同。")
    importer.result = result = ImportResult(dry_run=importer.dry_run)
    table = open_table(path, importer.layout.is_header)
    try:
        columns = importer.layout.match(table.headers)
        result.unknown_columns = columns.unknown
        importer.prepare(columns)
        report = ErrorReport(errors_path, table.headers)
        processed = 0
        try:
            with import_connection(importer.engine, importer.dry_run) as importer.connection:
                while rows := list(islice(table.rows, BATCH_SIZE)):
                    for rejection in sorted(importer.batch(rows), key=lambda r: r.line):
                        report.add(rejection)
                    processed += len(rows)
                    if progress:
                        progress(processed, None if table.total is None else max(table.total, processed))
        finally:
            result.errors_path = report.close()
        result.rejected = report.count
    finally:
        table.close()
    return result
