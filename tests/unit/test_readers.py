"""Readers on malformed files (SYNTHETIC content): clear messages, every row accounted for."""

from __future__ import annotations

import io
import zipfile

import pytest

from sitroom.interchange.csv_format import read_csv
from sitroom.interchange.registry import Format, detect_format
from sitroom.interchange.table import Column, ReadError
from sitroom.interchange.xlsx_format import read_xlsx, write_xlsx


def rows_of(data: bytes) -> list[tuple[int, dict[str, str], str | None]]:
    source = read_csv(io.BytesIO(data))
    return [(r.line, r.cells, r.problem) for r in source.rows]


def test_a_bom_does_not_end_up_in_the_first_column_name() -> None:
    source = read_csv(io.BytesIO("\ufeffmeasure,value\napprehended,3\n".encode()))
    assert source.header == ["measure", "value"]


def test_utf16_files_from_spreadsheet_programs_are_read() -> None:
    source = read_csv(io.BytesIO("measure,value\napprehended,3\n".encode("utf-16")))
    assert [r.cells for r in source.rows] == [{"measure": "apprehended", "value": "3"}]


def test_a_row_that_is_not_utf8_is_rejected_on_its_own_line() -> None:
    data = b"name,value\nPabrad\xe9,3\nRukla,4\n"
    rows = rows_of(data)
    assert rows[0][0] == 2 and rows[0][2] is not None and "UTF-8" in rows[0][2]
    assert rows[1] == (3, {"name": "Rukla", "value": "4"}, None)


def test_a_row_with_more_cells_than_the_header_is_rejected() -> None:
    rows = rows_of(b"a,b\n1,2,3\n4,5\n")
    assert rows[0][2] == "has 3 cells but the header names 2 columns"
    assert rows[1][2] is None


def test_a_huge_field_rejects_its_row_and_the_next_row_still_reads() -> None:
    data = b"a,b\n" + b"x" * 200_000 + b",1\n2,3\n"
    rows = rows_of(data)
    assert len(rows) == 2
    assert rows[0][2] is not None
    assert rows[1][1] == {"a": "2", "b": "3"}


def test_binary_data_in_a_cell_is_refused() -> None:
    rows = rows_of(b"a,b\n\x00\x01\x02,3\n")
    assert rows[0][2] is not None and "control character" in rows[0][2]


def test_an_empty_file_says_so() -> None:
    with pytest.raises(ReadError, match="empty"):
        read_csv(io.BytesIO(b""))


def test_an_hxl_hashtag_row_is_not_data() -> None:
    source = read_csv(io.BytesIO(b"measure,value\n#indicator+name,#indicator+num\napprehended,3\n"))
    assert [r.cells for r in source.rows] == [{"measure": "apprehended", "value": "3"}]


def test_a_zip_that_is_not_a_workbook_is_refused_with_a_reason() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a spreadsheet")
    buffer.seek(0)
    with pytest.raises(ReadError, match="no spreadsheet"):
        read_xlsx(buffer)


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (100 * 1024 * 1024))
    buffer.seek(0)
    with pytest.raises(ReadError, match="unsafe size"):
        read_xlsx(buffer)


def test_the_content_decides_the_format_not_the_name() -> None:
    assert detect_format("figures.csv", b"PK\x03\x04rest") is Format.XLSX
    assert detect_format("figures.csv", b"measure,") is Format.CSV
    with pytest.raises(ReadError, match="not a workbook"):
        detect_format("figures.xlsx", b"measure,")
    with pytest.raises(ReadError, match=r"cannot import \.pdf"):
        detect_format("figures.pdf", b"%PDF")


def test_text_that_looks_like_a_formula_stays_text_in_a_workbook() -> None:
    columns = [Column("note", "#description"), Column("value", "#indicator+num")]
    buffer = io.BytesIO()
    formula = '=HYPERLINK("http://x")'
    write_xlsx([{"note": formula, "value": "3"}, {"note": "=0"}], columns, buffer)
    buffer.seek(0)
    source = read_xlsx(buffer)
    assert [r.cells["note"] for r in source.rows] == [formula, "=0"]


def test_a_control_character_xml_cannot_hold_is_written_as_a_replacement_mark() -> None:
    """Found by bench/fuzz: a note with \x03 in it made the whole XLSX download a 500."""
    columns = [Column("note", "#description")]
    buffer = io.BytesIO()
    write_xlsx([{"note": "a\x03b\tc"}], columns, buffer)
    buffer.seek(0)
    assert [r.cells["note"] for r in read_xlsx(buffer).rows] == ["a\ufffdb\tc"]


def test_the_column_import_fills_the_incident_table_columns_the_row_import_fills() -> None:
    """The column path names the stored columns itself (interchange does not import the
    store): it must keep to the store's list and order."""
    from sitroom.interchange.records.incident_columns import STORED
    from sitroom.store.mapping import INCIDENT_COLUMNS, OWNER_COLUMNS

    assert (*STORED, "import_batch_id", *OWNER_COLUMNS) == INCIDENT_COLUMNS
