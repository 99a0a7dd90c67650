"""CSV and other delimited text: encoding and delimiter sniffed, row numbers kept (SPEC §3).

The csv module (not pandas) parses, because it tells where each record starts: a quoted
field with a line break inside must not shift the row numbers on the receipt.
"""

from __future__ import annotations

import _csv
import codecs
import csv
import io
from collections import Counter

import numpy as np
import pyarrow as pa

from ci_measure.errors import FileProblem, Problem
from ci_measure.intake.read.table import Grid
from ci_measure.intake.values import map_cells

DELIMITERS = (";", "\t", ",", "|")  # in order of preference on a tie
SNIFF_RECORDS = 50
SNIFF_CHARS = 64 * 1024


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined (0x81, 0x8D, ...): read those as Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("ci_measure_latin1", _latin1_fallback)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'-be' when every other byte is NUL, as in BOM-less UTF-16 text."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.4 * len(sample) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(sample) / 2 and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name as reported): BOM first, then UTF-8, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bomless = utf16_without_bom(data)
    if bomless:
        return data.decode(bomless, errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="ci_measure_latin1"), "cp1252"


def _head_records(text: str) -> list[str]:
    """The first non-empty records of ``text``, split at line breaks outside quotes."""
    records: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text[:SNIFF_CHARS]:
        if char == '"':
            quoted = not quoted
        if char in "\r\n" and not quoted:
            record = "".join(current)
            if record.strip():
                records.append(record)
                if len(records) >= SNIFF_RECORDS:
                    return records
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        records.append("".join(current))
    return records


def _count_outside_quotes(record: str, delimiter: str) -> int:
    # Text between quotes sits at the odd positions after splitting on '"'.
    return sum(part.count(delimiter) for part in record.split('"')[::2])


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most records into the same number (>= 1) of pieces."""
    records = _head_records(text)
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        counts = Counter(_count_outside_quotes(r, delimiter) for r in records)
        counts.pop(0, None)
        if not counts:
            continue
        _, agreeing = counts.most_common(1)[0]
        score = agreeing / len(records)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _reader(text: str, delimiter: str) -> _csv.Reader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _records(text: str, delimiter: str) -> tuple[list[list[str]], np.ndarray]:
    """Every record's cells, and the line each record starts on (1-based)."""
    try:
        reader = _reader(text, delimiter)
        records = list(reader)
        if reader.line_num == len(records):  # no record spans lines: record k is on line k
            return records, np.arange(1, len(records) + 1)
    except csv.Error:
        pass  # read again below, tracking lines, to say where
    reader = _reader(text, delimiter)
    records, starts, line = [], [], 1
    try:
        for record in reader:
            records.append(record)
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error as failure:
        detail = (
            f'et anførselstegn (") lukkes ikke, eller en celle er over {csv.field_size_limit():,} tegn'
            f" lang, fra linje {line} / "
            f'a quotation mark (") is not closed, or a cell is longer than {csv.field_size_limit():,}'
            f" characters, from line {line}"
            if "field larger" in str(failure)
            else f"linje {line} / line {line}: {failure}"
        )
        raise FileProblem(Problem.make("unreadable_file", detail=detail)) from None
    return records, np.array(starts, dtype=np.int64)


def _stripped(cells: tuple[str, ...]) -> np.ndarray:
    """Cells stripped, None for empty ones; each distinct cell is stripped once."""
    column = np.empty(len(cells), dtype=object)
    column[:] = cells
    mapped = map_cells(column, _strip)
    if mapped is not None:
        return mapped
    column[:] = [cell.strip() or None for cell in cells]
    return column


def _columns(records: list[list[str]]) -> list[np.ndarray]:
    """Records to columns of stripped text, None for empty cells."""
    width = max(map(len, records), default=0)
    if any(len(r) != width for r in records):
        records = [r if len(r) == width else [*r, *([""] * (width - len(r)))] for r in records]
    if not records:
        return [np.empty(0, dtype=object) for _ in range(width)]
    return [_stripped(cells) for cells in zip(*records, strict=True)]


def _unquoted_columns(text: str, delimiter: str) -> list[tuple[np.ndarray, pa.Array]] | None:
    """Columns of a text without any quotation mark, parsed by pyarrow in C.

    Without quotes, record k is line k and its cells are the line split at the delimiter,
    exactly as the csv module reads it. Only a rectangular file qualifies (pyarrow refuses a
    line with another number of cells, a blank line included): anything else returns None
    and is read record by record by the csv module.
    """
    import pyarrow.csv as pa_csv

    first = text.split("\n", 1)[0].split("\r", 1)[0]
    width = first.count(delimiter) + 1
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeEncodeError):
        return None
    return [_stripped_column(chunked.combine_chunks()) for chunked in table.columns]


def _stripped_column(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(cells stripped as an object array, None for empty; the same as Arrow dictionary
    text, null for empty). Each distinct cell is stripped once."""
    encoded = array.dictionary_encode()
    stripped = [_strip(d) for d in encoded.dictionary.to_pylist()]
    empty = np.array([s is None for s in stripped] + [True], dtype=bool)
    indices = encoded.indices.fill_null(len(stripped)).to_numpy(zero_copy_only=False)
    cells = np.empty(len(stripped) + 1, dtype=object)
    cells[:] = [*stripped, None]
    text = pa.DictionaryArray.from_arrays(
        pa.array(indices, type=pa.int32(), mask=empty[indices]),
        pa.array([s or "" for s in stripped], type=pa.string()),
    )
    return cells[indices], text


def _strip(cell: str | None) -> str | None:
    return None if cell is None else cell.strip() or None


def read_csv(data: bytes) -> Grid | None:
    """Read delimited text; None when it has no non-blank cell (the caller says empty_file)."""
    text, encoding = decode(data)
    text = text.replace("\x00", "")
    if not text.strip():
        return None
    delimiter = sniff_delimiter(text)
    parsed = _unquoted_columns(text, delimiter) if '"' not in text else None
    arrow = None
    if parsed is not None:
        columns, arrow = [c for c, _ in parsed], [a for _, a in parsed]
        numbers = np.arange(1, len(columns[0]) + 1)
    else:
        records, numbers = _records(text, delimiter)
        columns = _columns(records)
    return Grid(
        columns,
        np.asarray(numbers),
        decimal_comma=delimiter == ";",
        encoding=encoding,
        delimiter=delimiter,
        arrow=arrow,
    )
