"""Import limits: a file beyond the rows, columns, cell length or uncompressed size allowed is refused
before it is parsed, quickly and in little memory, with a message naming the limit; nothing is written."""

import time
import tracemalloc
import zipfile

import pytest
import synthetic
from importing_support import base_row, count

from marketplace.registry.importing import ImportFileError, import_registry
from marketplace.registry.models import Household

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                  'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                  '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _hostile_xlsx(path, cells: int):
    """The attack: a few hundred KB zipped, one row of `cells` empty cells, no declared dimension."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData><row r="1">')
            chunk = b'<c t="n"/>' * 10_000
            for _ in range(cells // 10_000):
                sheet.write(chunk)
            sheet.write(b"</row></sheetData></worksheet>")
    return path


def _refused(engine, vault, path) -> str:
    with pytest.raises(ImportFileError) as refused:
        import_registry(engine, vault, path)
    assert count(engine, Household) == 0
    return refused.value.message


def test_a_three_million_cell_row_is_refused_fast_in_little_memory(engine, vault, tmp_path):
    path = _hostile_xlsx(tmp_path / "wide.xlsx", 3_000_000)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = _refused(engine, vault, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "文件超出导入限制：第1行至少有 65 列，上限为 64 列。请删除多余的列后再导入。"
    assert time.perf_counter() - started < 5 and peak < 20 * 1024 * 1024


def test_limits_on_rows_columns_and_cell_length_name_the_value_found(engine, vault, write, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_IMPORT_MAX_ROWS", "2")
    message = _refused(engine, vault, write([base_row(户编号=f"34162100000000{i}") for i in range(3)]))
    assert message.startswith("文件超出导入限制：数据行数达到 3 行，上限为 2 行。")
    assert "上限为 2 行" in _refused(engine, vault, write([base_row(户编号=f"34162100000000{i}") for i in range(3)],
                                                         name="r.xlsx"))
    monkeypatch.delenv("MARKETPLACE_IMPORT_MAX_ROWS")

    headers = [*synthetic.HEADERS, *(f"备注{i}" for i in range(60))]
    wide = [[*base_row().values(), *([""] * 60)]]
    assert "第1行有 70 列，上限为 64 列" in _refused(engine, vault, write(wide, headers=headers))
    assert "第1行至少有 65 列，上限为 64 列" in _refused(engine, vault, write(wide, headers=headers, name="w.xlsx"))

    long_address = base_row(详细地址="三组" * 1001)
    assert "第2行有一个单元格长 2,002 字，上限为 2,000 字" in _refused(engine, vault, write([long_address]))
    # In an XLSX the text sits in the shared strings part, read before any row.
    assert "单元格长 2,002 字，上限为 2,000 字" in _refused(engine, vault, write([long_address], name="l.xlsx"))
    huge = base_row(详细地址="x" * 200_000)  # beyond the csv module's own field limit
    assert "上限为 2,000 字" in _refused(engine, vault, write([huge]))


def test_an_xlsx_larger_than_allowed_once_unzipped_is_refused(engine, vault, write, monkeypatch):
    path = write([base_row()], name="ok.xlsx")
    monkeypatch.setenv("MARKETPLACE_IMPORT_MAX_XLSX_UNCOMPRESSED_MB", "0")
    assert "Excel 文件解压后为 0 MB，上限为 0 MB" in _refused(engine, vault, path)
    monkeypatch.delenv("MARKETPLACE_IMPORT_MAX_XLSX_UNCOMPRESSED_MB")
    assert import_registry(engine, vault, path).imported == 1
